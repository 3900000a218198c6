/**
 * Typed application errors. Services throw these; the HTTP error handler maps them to a status
 * and the public error body `{ error: { code, message, fields? } }`.
 */
export type FieldProblem = { path: string; message: string }

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields?: FieldProblem[]) {
    super(400, 'validation_failed', message, fields)
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in to continue.') {
    super(401, 'unauthenticated', message)
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message)
  }
}
export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not_found', `${what} was not found.`)
  }
}
export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', fields?: FieldProblem[]) {
    super(409, code, message, fields)
  }
}
export class GoneError extends AppError {
  constructor(message: string, code: string) {
    super(410, code, message)
  }
}
export class UnprocessableError extends AppError {
  constructor(message: string, code = 'unprocessable', fields?: FieldProblem[]) {
    super(422, code, message, fields)
  }
}
