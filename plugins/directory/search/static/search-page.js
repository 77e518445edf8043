// The search page: wires the engine to the form, the filters, the results and the URL.
// State lives in the URL (?q=, type=, sector=, city=) so a search can be shared and the back
// button works. Everything is built with DOM methods and textContent: no HTML strings, so a
// profile's text can never become markup.
import { SearchEngine } from "./engine.js";

const PAGE_SIZE = 10;
const FILTER_PREVIEW = 12;
const KIND_LABELS = { startup: "Startup", program: "Program", mentor: "Mentor" };
const GROUPS = [
  { key: "types", param: "type", title: "Type" },
  { key: "sectors", param: "sector", title: "Sector" },
  { key: "cities", param: "city", title: "City" },
];

const siteRoot = new URL("../", import.meta.url);
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const results = document.getElementById("search-results");
const status = document.getElementById("search-status");
const notice = document.getElementById("search-notice");
const more = document.getElementById("search-more");
const filterBox = document.getElementById("search-filters");
const filterPanel = document.getElementById("search-filters-panel");
// Filters sit beside the results on wide screens; on phones they fold away above them.
const wide = window.matchMedia("(min-width: 52rem)");

let engine;
let filters = { types: new Set(), sectors: new Set(), cities: new Set() };
let shown = PAGE_SIZE;
let sequence = 0;
const expanded = new Set();

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const fold = (text) => text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

// A sector or city from the URL, given as its display name ("Los Angeles") or its slug.
function resolve(value, pairs) {
  const wanted = value.trim().toLowerCase();
  const match = pairs.find(([slug, name]) => slug === wanted || name.toLowerCase() === wanted)
    || pairs.find(([slug]) => slug === fold(value));
  return match ? match[0] : null;
}

function readURL() {
  const params = new URLSearchParams(location.search);
  const { kinds, sectors, cities } = engine.manifest;
  input.value = params.get("q") ?? "";
  filters = {
    types: new Set(params.getAll("type").filter((kind) => kinds.includes(kind))),
    sectors: new Set(params.getAll("sector").map((v) => resolve(v, sectors)).filter(Boolean)),
    cities: new Set(params.getAll("city").map((v) => resolve(v, cities)).filter(Boolean)),
  };
}

function writeURL(push) {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value);
  for (const { key, param } of GROUPS) for (const value of filters[key]) params.append(param, value);
  const query = params.toString();
  const url = `${location.pathname}${query ? `?${query}` : ""}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? "pushState" : "replaceState"](null, "", url);
}

// The summary as text, with every word that matched the query in a <mark>. A stem always
// begins with its word's first letter (Porter2 rewrites endings only; tests/test_stemmer_parity.py
// checks it), so a plain lower-case word whose first letter begins no matched term is passed
// over without being analysed: most words of a summary, on every keystroke.
const PLAIN = /^[a-z0-9]+$/;

function highlight(text, terms) {
  const initials = new Set([...terms].map((term) => term[0]));
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}\p{M}'\u2019\u02bc\u2018\u201b]+/gu)) {
    const lower = match[0].toLowerCase();
    if (PLAIN.test(lower) && !initials.has(lower[0])) continue;
    if (!engine.analyzer.analyze(match[0]).some((term) => terms.has(term))) continue;
    fragment.append(text.slice(last, match.index), element("mark", { textContent: match[0] }));
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

function renderFilters(counts) {
  // Redrawing replaces the checkboxes: keep the keyboard focus on the one that had it.
  const focused = filterBox.contains(document.activeElement) && document.activeElement.matches("input")
    ? `input[name="${document.activeElement.name}"][value="${CSS.escape(document.activeElement.value)}"]` : null;
  const { sectors, cities, kinds } = engine.manifest;
  const options = {
    types: kinds.map((kind) => [kind, KIND_LABELS[kind] ?? kind]),
    sectors,
    cities,
  };
  filterBox.replaceChildren(...GROUPS.map(({ key, param, title }) => {
    const visible = options[key]
      .map(([value, label]) => ({ value, label, count: counts[key].get(value) ?? 0 }))
      .filter((o) => o.count > 0 || filters[key].has(o.value))
      .sort((a, b) => (key === "types" ? 0 : b.count - a.count || a.label.localeCompare(b.label)));
    const limited = expanded.has(key) ? visible : visible.slice(0, FILTER_PREVIEW);
    const list = element("ul", { className: "filter-options" }, ...limited.map((o) => {
      const box = element("input", { type: "checkbox", name: param, value: o.value, checked: filters[key].has(o.value) });
      box.addEventListener("change", () => {
        filters[key][box.checked ? "add" : "delete"](o.value);
        shown = PAGE_SIZE;
        writeURL(true);
        run();
      });
      return element("li", {}, element("label", {}, box, ` ${o.label} `, element("span", { className: "count", textContent: `(${o.count})` })));
    }));
    const fieldset = element("fieldset", { id: `filter-${param}` }, element("legend", { textContent: title }), list);
    if (visible.length > limited.length || expanded.has(key)) {
      const toggle = element("button", { type: "button", className: "link-button", textContent: expanded.has(key) ? "Show fewer" : `Show all ${visible.length}` });
      toggle.addEventListener("click", () => {
        expanded[expanded.has(key) ? "delete" : "add"](key);
        renderFilters(counts);
        document.querySelector(`#filter-${param} .link-button`)?.focus();
      });
      fieldset.append(toggle);
    }
    return fieldset;
  }));
  if (focused) filterBox.querySelector(focused)?.focus();
}

// The status line is a live region: change it only when the news changes.
function announce(message) {
  if (status.textContent !== message) status.textContent = message;
}

function resultItem(doc, terms) {
  return element("li", { className: "result" },
    element("a", { href: new URL(doc.url, siteRoot).href, className: "result-title", textContent: doc.name }),
    element("p", { className: "card-meta" },
      element("span", { className: `badge badge-${doc.kind}`, textContent: KIND_LABELS[doc.kind] ?? doc.kind }),
      doc.city ? element("span", { className: "card-city", textContent: ` ${doc.city}` }) : ""),
    element("p", { className: "card-summary" }, highlight(doc.summary, terms)));
}

// Results appear in rank order as their data arrives (each result's data is one small file
// shared with its neighbours), as Pagefind's UI does: the first is on screen while the tenth
// may still be on its way. Returns false when a newer search has taken over.
async function renderHits(outcome, typed, mine) {
  const pending = outcome.hits.slice(0, shown).map((hit) => engine.describe([hit.doc]));
  const items = [];
  for (const described of pending) {
    const [doc] = await described;
    if (mine !== sequence) return false;
    items.push(resultItem(doc, outcome.terms));
    if (items.length === 1) results.replaceChildren(items[0]);
    else results.append(items.at(-1));
  }
  if (!items.length) results.replaceChildren();
  more.hidden = outcome.hits.length <= shown;
  const total = outcome.hits.length;
  const noun = total === 1 ? "result" : "results";
  announce(typed
    ? `${total} ${noun} for “${input.value.trim()}”`
    : `${total} ${total === 1 ? "profile" : "profiles"} match the filters`);
  return true;
}

async function run() {
  const mine = ++sequence;
  results.setAttribute("aria-busy", "true");
  try {
    await search(mine);
  } catch (error) {
    if (mine === sequence) announce("Search could not load part of its index; try again, or browse below.");
    throw error;
  } finally {
    if (mine === sequence) results.removeAttribute("aria-busy");
  }
}

async function search(mine) {
  const text = input.value;
  const typed = engine.parse(text).length > 0;
  const filtering = GROUPS.some(({ key }) => filters[key].size);
  // The first results need only the query's shards; filter counts follow once facets.json
  // has arrived (at once, when the URL already asks for a filter).
  const counts = engine.facetsLoaded || filtering;
  const outcome = await engine.search(text, filters, { counts });
  if (mine !== sequence) return; // a newer keystroke has taken over
  if (outcome.counts) renderFilters(outcome.counts);
  notice.hidden = !outcome.fallback;
  notice.textContent = outcome.fallback ? "No profile matches every word; showing profiles that match some of them." : "";
  if (typed || filtering) {
    if (!(await renderHits(outcome, typed, mine))) return;
  } else {
    results.replaceChildren();
    more.hidden = true;
    announce(`Type to search ${engine.manifest.docCount} profiles, or pick a filter.`);
  }
  if (!outcome.counts) {
    // Results are on screen; now fetch what the filter counts need. No filter is on, so the
    // hits are exactly the profiles to count.
    const facets = await engine.facets();
    if (mine === sequence) renderFilters(engine.count(outcome.hits, filters, facets));
  }
}

function moveFocus(event) {
  const links = [...results.querySelectorAll("a.result-title")];
  const at = links.indexOf(document.activeElement);
  if (event.key === "ArrowDown" && at < links.length - 1) links[at + 1].focus();
  else if (event.key === "ArrowUp" && at > 0) links[at - 1].focus();
  else if ((event.key === "ArrowUp" && at === 0) || (event.key === "Escape" && at >= 0)) input.focus();
  else return;
  event.preventDefault();
}

async function start() {
  status.textContent = "Loading search…";
  // The manifest is in the page, so the first search's shard is requested at once.
  const manifest = JSON.parse(document.getElementById("search-manifest").textContent);
  engine = new SearchEngine(new URL("index/", import.meta.url), manifest);
  readURL();
  filterPanel.open = wide.matches || GROUPS.some(({ key }) => filters[key].size);
  wide.addEventListener("change", () => (filterPanel.open = wide.matches));
  input.addEventListener("input", () => {
    shown = PAGE_SIZE;
    writeURL(false);
    run();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    writeURL(true);
    run();
  });
  more.addEventListener("click", () => {
    shown += PAGE_SIZE;
    run();
  });
  input.addEventListener("keydown", moveFocus);
  results.addEventListener("keydown", moveFocus);
  window.addEventListener("popstate", () => {
    readURL();
    run();
  });
  document.documentElement.classList.add("search-ready");
  await run();
}

start();
