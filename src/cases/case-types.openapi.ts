import type { Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { CaseTypeRegistry } from './case-type.registry.js';

/** The payload classes of the registered case types, for SwaggerModule's `extraModels` (their schemas land in components). */
export function caseTypePayloadModels(registry: CaseTypeRegistry): Type<object>[] {
  return registry.all().flatMap((t) => (t.manifest.payload ? [t.manifest.payload] : []));
}

/**
 * Lists the case types in the OpenAPI document (`x-case-types`): each one's payload schema (a
 * reference to the schema generated from its class, the same class that validates it), whether it
 * needs a position or an operator, and its stages with the core phase of each. What a client
 * (the portal's forms, an Open311 service list) needs to offer a type without knowing it in advance.
 */
export function describeCaseTypes(doc: OpenAPIObject, registry: CaseTypeRegistry): void {
  (doc as OpenAPIObject & Record<string, unknown>)['x-case-types'] = registry.all().map((t) => ({
    name: t.name,
    label: t.label,
    requiresLocation: t.requiresLocation,
    needsOperator: t.needsOperator,
    payload: t.manifest.payload
      ? { $ref: `#/components/schemas/${t.manifest.payload.name}` }
      : { type: 'object', properties: {}, description: 'no fields' },
    stages: t.manifest.stages ?? null,
  }));
}
