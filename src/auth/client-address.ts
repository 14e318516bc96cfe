/** The part of the Express request the client's address comes from. */
export interface ClientRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** req.ip (the client's behind a trusted proxy, see TRUST_PROXY), as logins and the audit log record it. */
export function clientAddress(request: ClientRequest): string {
  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}
