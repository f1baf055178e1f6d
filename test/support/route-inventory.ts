/* eslint-disable @typescript-eslint/no-unsafe-function-type -- Nest's own reflection API (metatypes, handlers) is typed with Function. */
import 'reflect-metadata';
import { ModulesContainer, MetadataScanner } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';

/**
 * What the running application answers: every HTTP route and mount of its express router, and
 * every Socket.IO event handler of its gateways, read from the objects Nest and express built (not
 * from a hand-written list), so a route added anywhere shows up here.
 */

/** Route-argument metadata keys and types of @nestjs/common (ROUTE_ARGS_METADATA, RouteParamtypes). */
const ROUTE_ARGS = '__routeArguments__';
const PARAMTYPE = { BODY: 3, QUERY: 4, PARAM: 5 } as const;
/** @nestjs/swagger's list of the documented properties of a DTO class. */
const SWAGGER_PROPERTIES = 'swagger/apiModelPropertiesArray';
/** @nestjs/websockets metadata. */
const GATEWAY = 'websockets:is_gateway';
const GATEWAY_OPTIONS = 'websockets:gateway_options';
const MESSAGE_MAPPING = 'websockets:message_mapping';
const MESSAGE = 'message';
/** The application's own auth metadata (src/auth/auth.guard.ts). */
const PUBLIC = 'sportello:public';
const ROLES = 'sportello:roles';

/** A parameter name that may name an object: ids, references, slugs, comuni. */
export const NAMES_AN_OBJECT = /^(id|slug|reference|comune|[a-z]\w*(Id|Ids|Reference|Slug))$/;

export interface HttpRoute {
  /** "GET /api/tickets/:id", or "USE /admin/queues" for a path-mounted middleware or sub-application. */
  key: string;
  method: string;
  path: string;
  /** "TicketsController.get" for a Nest handler; the middleware names for a mount. */
  handler: string;
  /** Nest handlers only: @Public, and the roles @Roles admits (undefined: every authenticated operator). */
  isPublic?: boolean;
  roles?: string[];
  /** Parameters that may name an object, as "path:id", "query:groupId", "body:comuneId". */
  objectParams: string[];
}

export interface SocketEvent {
  key: string;
  namespace: string;
  event: string;
  handler: string;
}

interface Layer {
  name: string;
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean>; stack: Array<{ name: string; handle: { name: string } }> };
  handle: unknown;
}

function controllers(app: INestApplication): Map<string, Function> {
  const out = new Map<string, Function>();
  for (const m of app.get(ModulesContainer).values()) {
    for (const w of m.controllers.values()) if (typeof w.metatype === 'function') out.set(w.metatype.name, w.metatype);
  }
  return out;
}

/** Path, query and body parameters of a Nest handler whose names may name an object. */
function handlerParams(cls: Function, method: string, path: string): string[] {
  const out = new Set<string>();
  for (const m of path.matchAll(/:(\w+)/g)) out.add(`path:${m[1]}`);
  const args: Record<string, { index: number; data?: unknown }> = Reflect.getMetadata(ROUTE_ARGS, cls, method) ?? {};
  const types: Function[] = Reflect.getMetadata('design:paramtypes', cls.prototype, method) ?? [];
  for (const [k, a] of Object.entries(args)) {
    const type = Number(k.split(':')[0]);
    const where = type === PARAMTYPE.QUERY ? 'query' : type === PARAMTYPE.BODY ? 'body' : type === PARAMTYPE.PARAM ? 'path' : null;
    if (!where) continue;
    if (typeof a.data === 'string') {
      if (where === 'path' || NAMES_AN_OBJECT.test(a.data)) out.add(`${where}:${a.data}`);
      continue;
    }
    const dto = types[a.index];
    const props: string[] = (dto?.prototype && Reflect.getMetadata(SWAGGER_PROPERTIES, dto.prototype)) ?? [];
    for (const p of props.map((x) => x.replace(/^:/, ''))) if (NAMES_AN_OBJECT.test(p)) out.add(`${where}:${p}`);
  }
  return [...out].sort();
}

export function httpRoutes(app: INestApplication): HttpRoute[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
  const stack = (instance.router ?? instance._router)?.stack;
  if (!stack?.length) throw new Error('the express router stack is not where the inventory looks for it (express 5: app.router.stack)');
  const classes = controllers(app);
  const routes = new Map<string, HttpRoute>();
  for (const layer of stack) {
    if (layer.route) {
      const paths = ([] as string[]).concat(layer.route.path);
      const methods = Object.keys(layer.route.methods);
      const handler = layer.route.stack[0]?.name ?? layer.name;
      const nest = /^(\w+)\.(\w+)$/.exec(handler);
      // Nest middleware applied with forRoutes() (nestjs-pino) is a catch-all route for every
      // method whose handler is not a controller method: it sees requests, it answers none.
      if (!nest && methods.length > 20) continue;
      for (const path of paths) {
        for (const method of methods.map((m) => m.toUpperCase())) {
          const key = `${method} ${path}`;
          const cls = nest ? classes.get(nest[1]) : undefined;
          const method_ = nest?.[2];
          const fn = cls && method_ ? (cls.prototype as Record<string, Function>)[method_] : undefined;
          routes.set(key, {
            key,
            method,
            path,
            handler,
            isPublic: cls && fn ? Boolean(Reflect.getMetadata(PUBLIC, fn) ?? Reflect.getMetadata(PUBLIC, cls)) : undefined,
            roles: cls && fn ? (Reflect.getMetadata(ROLES, fn) ?? Reflect.getMetadata(ROLES, cls)) : undefined,
            objectParams: cls && method_ ? handlerParams(cls, method_, path) : [...path.matchAll(/:(\w+)/g)].map((m) => `path:${m[1]}`),
          });
        }
      }
      continue;
    }
    // app.use(path, …): a mount. Middleware at "/" (parsers, CORS, correlation ids, Nest's
    // not-found and error handlers) runs for every request and answers no path of its own.
    const mount = ([] as string[]).concat(layer.rawPath ?? '/').join(',');
    if (mount === '/') continue;
    const key = `USE ${mount}`;
    const existing = routes.get(key);
    if (existing) existing.handler += `+${layer.name}`;
    else routes.set(key, { key, method: 'USE', path: mount, handler: layer.name, objectParams: [] });
  }
  return [...routes.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export function socketEvents(app: INestApplication): SocketEvent[] {
  const scanner = new MetadataScanner();
  const out = new Map<string, SocketEvent>();
  for (const m of app.get(ModulesContainer).values()) {
    for (const w of m.providers.values()) {
      const cls = w.metatype;
      if (typeof cls !== 'function' || !Reflect.getMetadata(GATEWAY, cls)) continue;
      const namespace = String((Reflect.getMetadata(GATEWAY_OPTIONS, cls) as { namespace?: string } | undefined)?.namespace ?? '/');
      const proto = cls.prototype as Record<string, Function>;
      for (const name of scanner.getAllMethodNames(proto)) {
        if (!Reflect.getMetadata(MESSAGE_MAPPING, proto[name])) continue;
        const event = String(Reflect.getMetadata(MESSAGE, proto[name]));
        const key = `socket:${namespace} ${event}`;
        out.set(key, { key, namespace, event, handler: `${cls.name}.${name}` });
      }
    }
  }
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
}
