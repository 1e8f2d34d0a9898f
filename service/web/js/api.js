// The only way the dashboard reads or changes anything: POST /graphql with
// the signed-in token, and the download links the API documents.
const KEY = "storebooks.token";

export const session = {
  token: () => sessionStorage.getItem(KEY),
  signIn: (t) => sessionStorage.setItem(KEY, t),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {}

function headers(extra = {}) {
  return { Authorization: `Bearer ${session.token()}`, ...extra };
}

async function answer(res) {
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The server answered ${res.status} without a readable body.`);
  }
  if (res.status === 401) {
    session.signOut();
    window.dispatchEvent(new CustomEvent("storebooks:signed-out", { detail: body }));
    throw new ApiError(body.errors?.[0]?.message || "Please sign in again.");
  }
  if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

export async function gql(query, variables = {}) {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ query, variables }),
  });
  return answer(res);
}

// A GraphQL multipart request (one file at `path` in the variables).
export async function gqlUpload(query, variables, path, file) {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables }));
  form.append("map", JSON.stringify({ 0: [path] }));
  form.append("0", file, file.name);
  const res = await fetch("/graphql", { method: "POST", headers: headers(), body: form });
  return answer(res);
}

// A download link that needs the bearer token: fetched, then saved.
export async function download(url, filename) {
  const res = await fetch(url, { headers: headers() });
  if (!res.ok) {
    let message = `${res.status}`;
    try {
      message = (await res.json()).error || message;
    } catch {}
    throw new ApiError(`Download failed: ${message}`);
  }
  const blob = await res.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

export function idempotencyKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}
