import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { InvalidInputException, type FieldProblem } from './errors.js';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    if (e.value === undefined && e.constraints && !e.constraints.whitelistValidation) return [{ field, message: 'is required' }];
    if (e.value === null && e.constraints) return [{ field, message: 'must not be null' }];
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Validates DTOs; unknown fields are refused; every problem names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new InvalidInputException(fields, fields.map((f) => `${f.field}: ${f.message}`).join('; '));
    },
  });
}
