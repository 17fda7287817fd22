// What a workflow (lib/services) refuses, in its own terms; lib/http maps each kind to a status code.

export class DomainError extends Error {}

/** the thing asked for does not exist (404) */
export class NotFoundError extends DomainError {
  override name = "NotFoundError";
}

/** the request contradicts the current state (409) */
export class ConflictError extends DomainError {
  override name = "ConflictError";
}

/** the person may not do this (403); `code` names the rule when it is more specific than "forbidden" */
export class ForbiddenError extends DomainError {
  override name = "ForbiddenError";
  constructor(
    message: string,
    readonly code = "forbidden",
  ) {
    super(message);
  }
}

/** one field of the request is wrong (400 naming the field) */
export class FieldError extends DomainError {
  override name = "FieldError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
