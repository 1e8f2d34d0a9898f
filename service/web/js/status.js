// The books' status under the header: up to date, or what is running with a
// progress bar. Polls quickly while work runs, slowly otherwise.
import { gql } from "./api.js";
import { clear, h } from "./ui.js";

const QUERY = `{ booksStatus { upToDate pendingJobs pendingEvents ordersNeedingData
    recentJobs(first: 5) { id kind status progress error }
  }
  syncRuns(first: 5) { nodes { id storeId kind status progress ordersSeen ordersTotal } } }`;

let timer = null;
const listeners = new Set();

export function onBooksChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function startBooksStatus() {
  stopBooksStatus();
  tick();
}

export function stopBooksStatus() {
  if (timer) clearTimeout(timer);
  timer = null;
  const bar = document.getElementById("books-status");
  if (bar) bar.hidden = true;
}

export function refreshBooksStatus() {
  startBooksStatus();
}

let wasBusy = false;
async function tick() {
  let busy = false;
  try {
    const data = await gql(QUERY);
    busy = show(data);
    if (wasBusy && !busy) for (const fn of listeners) fn();
    wasBusy = busy;
  } catch {
    busy = false;
  }
  timer = setTimeout(tick, busy ? 1000 : 15000);
}

function show({ booksStatus: s, syncRuns }) {
  const bar = document.getElementById("books-status");
  const running = s.recentJobs.filter((j) => j.status === "QUEUED" || j.status === "RUNNING");
  const syncing = syncRuns.nodes.filter((r) => r.status === "QUEUED" || r.status === "RUNNING");
  const failed = s.recentJobs.filter((j) => j.status === "FAILED");
  const parts = [];
  for (const job of running) {
    parts.push(progressLine(`${label(job.kind)}: ${job.status.toLowerCase()}`, job.progress));
  }
  for (const run of syncing) {
    const share = run.ordersTotal ? run.ordersSeen / run.ordersTotal : null;
    parts.push(progressLine(`Store sync (${run.kind.toLowerCase()}): ${run.progress || run.status.toLowerCase()}`, share));
  }
  const state = s.upToDate && !syncing.length ? "up-to-date" : "working";
  bar.dataset.state = state;
  const summary =
    state === "up-to-date"
      ? "Books are up to date."
      : `Books are being updated: ${s.pendingJobs} job(s), ${s.pendingEvents} event(s) waiting` +
        (s.ordersNeedingData ? `, ${s.ordersNeedingData} order(s) need data` : "") +
        ".";
  clear(
    bar,
    h("span", { class: "summary", role: "status" }, summary),
    parts,
    failed.length ? h("span", { class: "failed" }, `${failed.length} recent job(s) failed: ${failed[0].error || failed[0].kind}`) : null,
  );
  bar.hidden = false;
  return state !== "up-to-date";
}

function label(kind) {
  return kind.replace(/[_.:]/g, " ");
}

export function progressLine(text, share) {
  const value = share === null || share === undefined ? null : Math.max(0, Math.min(1, share));
  return h(
    "span",
    { class: "progress-line" },
    h("span", {}, text),
    h("progress", { max: "1", ...(value === null ? {} : { value: String(value) }), "aria-label": text }),
    value === null ? null : h("span", { class: "pct" }, `${Math.round(value * 100)}%`),
  );
}

// Follows one job until it ends: fills a progress bar, then says done (or why not).
export async function followJob(jobId, box) {
  const bar = h("progress", { max: "1", value: "0", class: "job-progress", "aria-label": "Progress" });
  const text = h("span", { class: "job-state", role: "status" }, "Queued");
  clear(box, bar, text);
  box.dataset.state = "running";
  for (;;) {
    const { node } = await gql(
      `query($id: ID!) { node(id: $id) { ... on Job { status progress error } } }`,
      { id: jobId },
    );
    if (!node) {
      text.textContent = "The job is gone.";
      box.dataset.state = "failed";
      return false;
    }
    if (node.progress !== null) bar.value = node.progress;
    if (node.status === "SUCCEEDED") {
      bar.value = 1;
      text.textContent = "Done";
      box.dataset.state = "done";
      refreshBooksStatus();
      return true;
    }
    if (node.status === "FAILED") {
      text.textContent = `Failed: ${node.error || "no reason given"}`;
      box.dataset.state = "failed";
      return false;
    }
    text.textContent = node.status === "RUNNING" ? `Running${node.progress !== null ? ` (${Math.round(node.progress * 100)}%)` : ""}` : "Queued";
    await new Promise((r) => setTimeout(r, 500));
  }
}
