import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { RejectedInputError } from '../common/errors.js';

/**
 * Checks a case's payload against its type's class (class-validator, as every DTO of the API):
 * missing → {} (checked like an empty object), not an object → `payload`, a bad field → `payload.<field>`. Fields the class does
 * not declare are dropped, so a payload holds only what its type describes.
 */
export function parsePayload(schema: Type<object> | undefined, payload: unknown): Record<string, unknown> {
  if (payload !== undefined && payload !== null && (typeof payload !== 'object' || Array.isArray(payload)))
    throw new RejectedInputError('payload', 'must be an object');
  if (!schema) return {};
  // No payload is an empty one: a type with required fields then names the first missing field.
  const instance = plainToInstance(schema, payload ?? {}, { excludeExtraneousValues: false });
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: false });
  if (errors.length) {
    const [field, message] = firstProblem(errors[0], 'payload');
    throw new RejectedInputError(field, message);
  }
  return JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
}

function firstProblem(e: ValidationError, prefix: string): [string, string] {
  const field = `${prefix}.${e.property}`;
  if (e.constraints) return [field, Object.values(e.constraints)[0]];
  if (e.children?.length) return firstProblem(e.children[0], field);
  return [field, 'is not valid'];
}
