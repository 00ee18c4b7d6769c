/** One GraphQL error as the server sends it (`extensions.code`, `extensions.field`). */
export interface ApiErrorItem {
  message: string;
  code: string;
  field?: string;
  retryAfterSeconds?: number;
  platformCode?: string;
  traceId?: string;
  /** BUDGET_POLICY_EXCEEDED: the limit passed, in minor units, and its currency. */
  limit?: number;
  currency?: string;
}

/** An operation that failed: GraphQL errors, HTTP trouble or no network. */
export class ApiError extends Error {
  readonly errors: ApiErrorItem[];
  constructor(errors: ApiErrorItem[]) {
    super(errors.map((e) => e.message).join(' '));
    this.name = 'ApiError';
    this.errors = errors;
  }
  get code(): string {
    return this.errors[0]?.code ?? 'INTERNAL';
  }
  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
  /** The message for one input field (BAD_USER_INPUT with `extensions.field`). */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
  /** Messages not tied to any field: shown above the form. */
  get general(): string[] {
    return this.errors.filter((e) => !e.field).map((e) => e.message);
  }
  /**
   * The server does not know a name the UI asked for: it runs an older
   * build than the contract (a feature not served yet).
   */
  get notServed(): boolean {
    return this.errors.some(
      (e) =>
        e.code === 'GRAPHQL_VALIDATION_FAILED' &&
        /unknown (field|type|argument)|not defined|does not exist|no (field|type)/i.test(e.message),
    );
  }
}

interface RawError {
  message?: string;
  extensions?: Record<string, unknown>;
}

export function toApiError(raw: RawError[] | undefined, fallback: string): ApiError {
  const list = (raw ?? []).flatMap<ApiErrorItem>((e) => {
    const ext = e.extensions ?? {};
    // A form checked as a whole: `extensions.problems` lists every field's problem.
    if (Array.isArray(ext.problems) && ext.problems.length) {
      return (ext.problems as { field?: unknown; message?: unknown }[]).map((p) => ({
        message: typeof p.message === 'string' ? p.message : e.message || fallback,
        code: typeof ext.code === 'string' ? ext.code : 'BAD_USER_INPUT',
        field: typeof p.field === 'string' && p.field ? p.field : undefined,
      }));
    }
    return {
      message: e.message || fallback,
      code: typeof ext.code === 'string' ? ext.code : 'INTERNAL',
      field: typeof ext.field === 'string' ? ext.field : undefined,
      retryAfterSeconds: typeof ext.retryAfterSeconds === 'number' ? ext.retryAfterSeconds : undefined,
      platformCode: ext.platformCode != null ? String(ext.platformCode) : undefined,
      traceId: typeof ext.traceId === 'string' ? ext.traceId : undefined,
      limit: typeof ext.limit === 'number' ? ext.limit : undefined,
      currency: typeof ext.currency === 'string' ? ext.currency : undefined,
    };
  });
  return new ApiError(list.length ? list : [{ message: fallback, code: 'INTERNAL' }]);
}

export function networkError(): ApiError {
  return new ApiError([
    { message: 'Leadforge could not be reached. Check your connection and try again.', code: 'NETWORK' },
  ]);
}

/** The message to show for any thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
