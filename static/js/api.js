// The JSON API, with a time limit on every call so the page never waits forever.

const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const BUSY_RETRIES = 2;  // a 503 "busy" is tried again this many times, after the server's Retry-After
const MAX_RETRY_WAIT_MS = 3000;

async function call(path, body = undefined, retries = BUSY_RETRIES) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    let data = null;
    try { data = await response.json(); } catch { /* not JSON: handled below */ }
    if (response.status === 503 && data?.error?.code === "busy" && retries > 0) {
      const wait = Math.min(MAX_RETRY_WAIT_MS, 1000 * (Number(response.headers.get("Retry-After")) || 1));
      clearTimeout(timer);
      await new Promise((resolve) => setTimeout(resolve, wait));
      return call(path, body, retries - 1);
    }
    if (!response.ok || data === null) {
      const error = data?.error ?? {};
      throw new ApiError(response.status, error.code ?? "bad_response", error.message ?? response.statusText);
    }
    return data;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(0, e.name === "AbortError" ? "timeout" : "network", String(e.message ?? e));
  } finally {
    clearTimeout(timer);
  }
}

export const api = {
  classes: (classroom) => call(classroom ? `/api/classes?classroom=${encodeURIComponent(classroom)}` : "/api/classes"),
  complete: (body) => call("/api/complete", body),
  hint: (body) => call("/api/hint", body),
  classify: (body) => call("/api/classify", body),
  imagine: (body) => call("/api/imagine", body),
  redraw: (body) => call("/api/redraw", body),
  morph: (body) => call("/api/morph", body),
};
