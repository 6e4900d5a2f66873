/** A stand-in for the browser's fetch that records each request and answers from a queue. */
export type RecordedRequest = {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: unknown;
};

type Answer = {status: number; body: unknown} | {networkError: true} | {never: true};

export class FakeBackend {
  readonly requests: RecordedRequest[] = [];
  private readonly answers: Answer[] = [];

  /** Answer the next request with this status and JSON body (a string is sent as is). */
  respond(status: number, body: unknown): this {
    this.answers.push({status, body});
    return this;
  }

  failNetwork(): this {
    this.answers.push({networkError: true});
    return this;
  }

  /** Leave the next request unanswered, to observe a view while it waits. */
  hang(): this {
    this.answers.push({never: true});
    return this;
  }

  get last(): RecordedRequest {
    const request = this.requests[this.requests.length - 1];
    if (!request) {
      throw new Error('no request was sent');
    }
    return request;
  }

  readonly fetch = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const headers = {...(init.headers as Record<string, string> | undefined)};
    this.requests.push({
      url: new URL(String(input)),
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const answer = this.answers.shift();
    if (!answer) {
      throw new Error(`unexpected request ${init.method ?? 'GET'} ${String(input)}`);
    }
    if ('networkError' in answer) {
      throw new TypeError('Failed to fetch');
    }
    if ('never' in answer) {
      return new Promise<Response>(() => undefined);
    }
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    // Only what src/api reads; a real Response body resolves on a later macrotask, which would make
    // the SDK's update() (one macrotask) too short to see the answer.
    const response = {ok: answer.status >= 200 && answer.status < 300, status: answer.status, text: async () => text};
    return response as Response;
  };

  install(): this {
    global.fetch = jest.fn(this.fetch) as unknown as typeof fetch;
    return this;
  }
}
