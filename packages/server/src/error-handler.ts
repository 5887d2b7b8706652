/**
 * The one place where failures become HTTP: status + Graph's error body
 * `{ error: { code, message, innerError: { "request-id", "client-request-id", date, details? } } }`.
 * Stack traces and internal messages never leave the server (5xx are logged instead).
 */
import { isGatehouseError } from "@gatehouse/store";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AccessDeniedError } from "./errors/access-denied-error.js";
import { AuthenticationError } from "./errors/authentication-error.js";
import { ConditionalAccessError } from "./errors/conditional-access-error.js";
import { InvalidRequestError } from "./errors/invalid-request-error.js";
import { MethodNotAllowedError } from "./errors/method-not-allowed-error.js";
import { PolicyWriteRefusedError } from "./errors/policy-write-refused-error.js";
import { ServiceUnavailableError } from "./errors/service-unavailable-error.js";

export interface GraphErrorDetail {
  code: string;
  message: string;
  target?: string;
  [more: string]: unknown;
}

export interface MappedError {
  status: number;
  code: string;
  message: string;
  details?: GraphErrorDetail[];
  headers?: Record<string, string>;
}

const STATUS_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "InvalidAuthenticationToken",
  403: "Authorization_RequestDenied",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  411: "LengthRequired",
  412: "PreconditionFailed",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  429: "TooManyRequests",
  503: "ServiceUnavailable",
};

const GATEHOUSE_STATUS = { notFound: 404, conflict: 409, preconditionFailed: 412, invalidInput: 400, unavailable: 503 } as const;

/** Maps any thrown value to a status, a Graph error code and a message safe to show. */
export function mapError(error: unknown): MappedError {
  if (error instanceof InvalidRequestError) {
    return {
      status: 400,
      code: "BadRequest",
      message: error.message,
      details: error.issues.map((i) => ({ code: i.code ?? "invalidValue", message: i.message, target: i.path })),
    };
  }
  if (error instanceof PolicyWriteRefusedError) {
    const status = error.kind === "invalid" ? 400 : 409;
    return {
      status,
      code: status === 400 ? "BadRequest" : "Conflict",
      message: error.message,
      details: error.errors.map((e) => {
        const detail: GraphErrorDetail = { code: e.code, message: e.message };
        const path = (e.details as { path?: unknown } | undefined)?.path;
        if (typeof path === "string") detail.target = path;
        if (e.policyId !== undefined) detail.policyId = e.policyId;
        return detail;
      }),
    };
  }
  if (error instanceof AuthenticationError) {
    return {
      status: 401,
      code: "InvalidAuthenticationToken",
      message: error.message,
      headers: { "www-authenticate": `Bearer error="invalid_token", error_description="${error.message.replace(/["\\]/g, "'")}"` },
    };
  }
  if (error instanceof AccessDeniedError) return { status: 403, code: "Authorization_RequestDenied", message: error.message };
  if (error instanceof ConditionalAccessError) {
    if (error.kind === "block") return { status: 403, code: "accessDenied", message: error.message };
    const claims = error.encodedClaims ?? "";
    const description = error.message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, "?");
    return {
      status: 401,
      code: "InteractionRequired",
      message: error.message,
      details: [{ code: "insufficient_claims", message: error.claims ?? "", target: "claims", claims }],
      headers: {
        "www-authenticate": `Bearer realm="", error="insufficient_claims", error_description="${description}", claims="${claims}"`,
      },
    };
  }
  if (error instanceof MethodNotAllowedError)
    return { status: 405, code: "MethodNotAllowed", message: error.message, headers: { allow: error.allowed.join(", ") } };
  if (error instanceof ServiceUnavailableError) return { status: 503, code: "ServiceUnavailable", message: error.message };
  if (isGatehouseError(error)) {
    const status = GATEHOUSE_STATUS[error.code];
    if (status === 503) return { status, code: "ServiceUnavailable", message: "The directory store is unavailable; try again later." };
    return { status, code: status === 404 ? "Request_ResourceNotFound" : (STATUS_CODES[status] ?? "BadRequest"), message: error.message };
  }
  const fastify = error as Partial<FastifyError> | null;
  const status = typeof fastify?.statusCode === "number" ? fastify.statusCode : 500;
  if (status >= 400 && status < 500) {
    let message = typeof fastify?.message === "string" && fastify.message !== "" ? fastify.message : "The request is not valid.";
    if (error instanceof SyntaxError || fastify?.code === "FST_ERR_CTP_INVALID_JSON_BODY")
      message = `The body is not valid JSON: ${message}`;
    return { status, code: STATUS_CODES[status] ?? "BadRequest", message };
  }
  return {
    status: status >= 500 && status < 600 ? status : 500,
    code: status === 503 ? "ServiceUnavailable" : "InternalServerError",
    message: "An internal error occurred.",
  };
}

export function graphErrorBody(mapped: MappedError, requestId: string, date: Date): Record<string, unknown> {
  return {
    error: {
      code: mapped.code,
      message: mapped.message,
      innerError: {
        date: date.toISOString(),
        "request-id": requestId,
        "client-request-id": requestId,
        ...(mapped.details && mapped.details.length > 0 ? { details: mapped.details } : {}),
      },
    },
  };
}

export function createErrorHandler(now: () => Date) {
  return function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const mapped = mapError(error);
    if (mapped.status >= 500) request.log.error({ err: error }, "request failed");
    for (const [name, value] of Object.entries(mapped.headers ?? {})) reply.header(name, value);
    return reply
      .code(mapped.status)
      .type("application/json")
      .send(graphErrorBody(mapped, request.id, now()));
  };
}

export function createNotFoundHandler(now: () => Date) {
  return function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const mapped: MappedError = {
      status: 404,
      code: "NotFound",
      message: `There is no resource at ${request.method} ${request.url.split("?")[0]}.`,
    };
    return reply
      .code(404)
      .type("application/json")
      .send(graphErrorBody(mapped, request.id, now()));
  };
}
