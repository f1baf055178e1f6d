import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  message: string;
}

/** 4xx answer naming the field(s) at fault. */
export class InvalidInputException extends HttpException {
  constructor(fields: FieldProblem[], message = 'Invalid input') {
    super({ statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request', message, fields }, HttpStatus.BAD_REQUEST);
  }
}

export function invalidField(field: string, message: string): InvalidInputException {
  return new InvalidInputException([{ field, message }], `${field}: ${message}`);
}

/** Raised by the ingest pipeline and channels for input they refuse; each transport maps it to its own 4xx. */
export class RejectedInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'RejectedInputError';
  }
}

/**
 * 404 naming the field whose id names nothing the caller may see: another comune's object answers
 * exactly as one that does not exist.
 */
export function notFoundField(field: string, message: string): HttpException {
  return new HttpException(
    { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found', message: `${field}: ${message}`, fields: [{ field, message }] },
    HttpStatus.NOT_FOUND,
  );
}

/** 409 naming the field whose change the object's current state refuses (a stage that cannot follow the current one). */
export function conflictField(field: string, message: string): HttpException {
  return new HttpException(
    { statusCode: HttpStatus.CONFLICT, error: 'Conflict', message, fields: [{ field, message }] },
    HttpStatus.CONFLICT,
  );
}
