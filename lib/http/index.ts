export { HttpError, badRequest, unauthorized, forbidden, notFound, conflict, fieldError } from "./errors";
export { jsonError, json } from "./responses";
export { discardBody, parseJson, parseQuery, validate, toIssues, type ValidationIssue } from "./validation";
export { handler, errorResponse } from "./handler";
