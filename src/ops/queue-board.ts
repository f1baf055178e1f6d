import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { AuthService } from '../auth/auth.service.js';
import { bearerToken } from '../auth/auth.guard.js';
import { JobsService } from '../jobs/jobs.service.js';

/** Bull Board at /admin/queues, for the metropolitan administrator only (Bearer token or sportello_token cookie). */
export function mountQueueBoard(app: INestApplication, queueNames: string[]): void {
  const jobs = app.get(JobsService);
  const auth = app.get(AuthService);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: queueNames.map((n) => new BullMQAdapter(jobs.queue(n))), serverAdapter });
  const guard = (req: Request, res: Response, next: NextFunction) => {
    auth
      .verify(bearerToken(req))
      .then((p) => {
        if (p.role !== 'metro_admin')
          return res.status(403).json({ statusCode: 403, message: 'the queue dashboard is for the metropolitan administrator' });
        next();
      })
      .catch(() =>
        res
          .status(401)
          .json({ statusCode: 401, message: 'log in as the metropolitan administrator (Bearer token or sportello_token cookie)' }),
      );
  };
  app.use('/admin/queues', guard, serverAdapter.getRouter());
}
