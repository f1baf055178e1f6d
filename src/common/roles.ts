import type { AppConfig } from '../config/config.js';
import { runsApi, runsWorkers } from '../config/config.js';

/** What this process runs, handed to each feature module's register(). */
export interface ProcessRoles {
  api: boolean;
  workers: boolean;
}

export const rolesOf = (config: AppConfig): ProcessRoles => ({ api: runsApi(config), workers: runsWorkers(config) });
