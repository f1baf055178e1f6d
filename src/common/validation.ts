import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { InvalidInputException, type FieldProblem } from './errors.js';

/** PostgreSQL's integer (int4): every serial id, and every whole number a route takes, fits in it. */
export const PG_INT4_MIN = -2_147_483_648;
export const PG_INT4_MAX = 2_147_483_647;

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.value === undefined && e.constraints && !e.constraints.whitelistValidation) return [{ field, message: 'is required' }];
    if (e.value === null && e.constraints) return [{ field, message: 'must not be null' }];
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const outOfRange = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && (n < PG_INT4_MIN || n > PG_INT4_MAX);
const rangeProblem = (field: string): FieldProblem => ({ field, message: `must be a whole number no larger than ${PG_INT4_MAX}` });

/**
 * Validates DTOs; unknown fields are refused; every problem names its field. On top of each DTO's
 * own rules, one check for every route: a whole number in a path parameter, the query or a body's
 * top-level fields must fit PostgreSQL's int4, which every numeric id column and numeric setting is
 * (bigint ids — tickets, messages, attachments — are taken as digit strings of at most 18 digits).
 * So `?groupId=3000000000` is a 400 naming groupId, never a 500 from the database.
 */
class SportelloValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const out = await super.transform(value, metadata);
    if (metadata.type === 'custom') return out;
    // A body without a DTO (a socket event's payload, a provider's webhook) is parsed by its handler,
    // which answers bad input in its own protocol (a socket event's ack): nothing to add here.
    if (metadata.type === 'body' && (!metadata.metatype || metadata.metatype === Object)) return out;
    const problems: FieldProblem[] = [];
    if (metadata.data && metadata.metatype === Number && (metadata.type === 'param' || metadata.type === 'query')) {
      // A named numeric parameter (`@Param('comuneId', ParseIntPipe) comuneId: number`).
      if (typeof out !== 'number' || !Number.isInteger(out)) problems.push({ field: metadata.data, message: 'must be a whole number' });
      else if (outOfRange(out)) problems.push(rangeProblem(metadata.data));
    } else if (out && typeof out === 'object' && !Array.isArray(out) && !ArrayBuffer.isView(out)) {
      for (const [field, v] of Object.entries(out))
        if (outOfRange(v)) problems.push(rangeProblem(metadata.data ? `${metadata.data}.${field}` : field));
    }
    if (problems.length) throw new InvalidInputException(problems, problems.map((f) => `${f.field}: ${f.message}`).join('; '));
    return out;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new SportelloValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new InvalidInputException(fields, fields.map((f) => `${f.field}: ${f.message}`).join('; '));
    },
  });
}
