// The browser's search engine over the index that index.py exports.
//
// Ranking is Whoosh's BM25F, computed from the same numbers Whoosh used at build time, so that
// whole-word queries rank exactly as `invoke search` does. On top of it, for people typing:
// the last word also matches as a prefix, and words of 4+ letters tolerate one typo (8+: two).
// A profile matched through a corrected word always ranks below one matched exactly, so
// corrections are only looked for when a word's exact and prefix matches fill less than a
// page: the common query fetches one small shard per word.
import { Analyzer } from "./analyzer.js";

const EXACT = 0;
const PREFIX = 1;
const FUZZY = 2;
const NONE = 3;
// Prefix completions and corrections count for less than the word itself.
const CLASS_WEIGHT = [1, 0.8, 0.5];
// Below this many profiles matched exactly or by prefix, a word's typo corrections are added.
// (One typo anywhere is always found; a second one only where the near/ keys allow, that is
// not when both fall in the first three letters.)
export const CORRECT_BELOW = 10;

const codePoints = (text) => Array.from(text);

async function fetchJSON(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), or max + 1
// as soon as it must exceed max.
export function editDistance(a, b, max) {
  const s = codePoints(a);
  const t = codePoints(b);
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let before = null;
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (before && i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        value = Math.min(value, before[j - 2] + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    before = previous;
    previous = current;
  }
  return previous[t.length];
}

export function allowedTypos(word) {
  const length = codePoints(word).length;
  return length >= 8 ? 2 : length >= 4 ? 1 : 0;
}

// The keys of the near/ lists where a word one typo away from the query word is listed: near.py
// lists each word of the profiles (before stemming) under its first two letters and under the
// first two after deleting its first or second letter.
function nearKeys(word) {
  const c = codePoints(word);
  const keys = new Set([c.slice(0, 2).join("")]);
  if (c.length > 2) {
    keys.add(c[1] + c[2]);
    keys.add(c[0] + c[2]);
  }
  return keys;
}

export class SearchEngine {
  // indexUrl: the folder of the index; manifestUrl: its manifest. (The search page carries
  // the manifest it was built with and calls the constructor directly.)
  static async open(indexUrl, manifestUrl = new URL("manifest.json", indexUrl)) {
    return new SearchEngine(indexUrl, await fetchJSON(manifestUrl));
  }

  constructor(indexUrl, manifest) {
    this.base = indexUrl;
    this.manifest = manifest;
    this.analyzer = new Analyzer(manifest.analyzer);
    this.keys = new Set(manifest.keys);
    this.nearKeys = new Set(manifest.nearKeys);
    this.longestKey = Math.max(...manifest.keys.map((key) => codePoints(key).length));
    this.cache = new Map();
    this.loaded = new Map(); // shard key -> its terms, once arrived
    this.records = new Map(); // document -> [name, city, summary, url], from previews and docs
    this.kindStarts = [0];
    for (const count of manifest.kindCounts) this.kindStarts.push(this.kindStarts.at(-1) + count);
  }

  file(name) {
    if (!this.cache.has(name)) {
      const url = new URL(`${name}?v=${this.manifest.hash}`, this.base);
      // A failed download is forgotten, so that the next search tries again.
      this.cache.set(name, fetchJSON(url).catch((error) => {
        this.cache.delete(name);
        throw error;
      }));
    }
    return this.cache.get(name);
  }

  // The shard holding a term: the one whose key is the longest prefix of it.
  shardKeyOf(term) {
    const c = codePoints(term);
    for (let length = Math.min(this.longestKey, c.length); length > 0; length--) {
      const key = c.slice(0, length).join("");
      if (this.keys.has(key)) return key;
    }
    return null;
  }

  shard(key) {
    if (key === null) return Promise.resolve({});
    return this.file(`terms/${key}.json`).then((terms) => {
      this.loaded.set(key, terms);
      return terms;
    });
  }

  // The shards a prefix's completions live in: its own, and every longer key it begins.
  prefixShards(prefix) {
    const keys = new Set([this.shardKeyOf(prefix)]);
    for (const key of this.keys) if (key.length > prefix.length && key.startsWith(prefix)) keys.add(key);
    keys.delete(null);
    return Promise.all([...keys].map((key) => this.shard(key)));
  }

  // The records of the first page of results of each term in a shard (see index.py), kept for
  // describe(). They only save a round trip, so a failed download is not an error.
  previews(key) {
    if (key === null) return Promise.resolve();
    return this.file(`previews/${key}.json`).then((rows) => {
      for (const [doc, ...record] of rows) this.records.set(doc, record);
    }, () => {});
  }

  kindOf(doc) {
    let kind = 0;
    while (doc >= this.kindStarts[kind + 1]) kind++;
    return this.manifest.kinds[kind];
  }

  // Which documents carry each sector and city, decoded once from facets.json. Only filters
  // and counts need it, so it can wait until the first results are on screen.
  facets() {
    if (!this.decodedFacets) {
      this.decodedFacets = this.file("facets.json").then((raw) => {
        const decode = (lists) => lists.map((deltas) => {
          let doc = 0;
          return deltas.map((delta) => (doc += delta));
        });
        const sectors = decode(raw.sectors);
        const cities = decode(raw.cities);
        const docCity = new Int32Array(this.manifest.docCount).fill(-1);
        cities.forEach((docs, city) => docs.forEach((doc) => (docCity[doc] = city)));
        const docSectors = Array.from({ length: this.manifest.docCount }, () => []);
        sectors.forEach((docs, sector) => docs.forEach((doc) => docSectors[doc].push(sector)));
        this.facetsLoaded = true;
        return { docCity, docSectors };
      }).catch((error) => {
        this.decodedFacets = null;
        throw error;
      });
    }
    return this.decodedFacets;
  }

  // The words of a query, one per stem (as Whoosh's query has one term per stem). While the
  // user types (no trailing space), the last word is also a prefix; a stop word being typed is
  // still worth completing ("wat" -> "water"), but optional: "solar with" must not narrow
  // "solar" to profiles that have a word starting with "with".
  parse(text, { typing = true } = {}) {
    const words = this.analyzer.words(text);
    const open = typing && words.length > 0 && !/\s$/u.test(text);
    const parsed = [];
    const seen = new Set();
    words.forEach((word, index) => {
      const prefix = open && index === words.length - 1;
      const kept = this.analyzer.keep(word);
      const stem = kept ? this.analyzer.stem(word) : null;
      const key = prefix ? `prefix:${word}` : stem;
      if ((!kept && !(prefix && codePoints(word).length >= 2)) || seen.has(key)) return;
      seen.add(key);
      parsed.push({ word, stem, prefix, optional: !kept });
    });
    return parsed;
  }

  // Index terms that a query word matches exactly or, for the word being typed, as a prefix.
  async directMatches(query) {
    const found = new Map();
    // Object.hasOwn: a term may be "constructor" or "__proto__", which `in` would find on any object.
    if (query.stem && Object.hasOwn(await this.shard(this.shardKeyOf(query.stem)), query.stem)) {
      found.set(query.stem, EXACT);
    }
    if (query.prefix) {
      // A stem can be shorter than the word being typed ("runn" is on its way to "run").
      const stemOfTyped = (term) => query.word.startsWith(term) && term.length >= 3 && query.word.length - term.length <= 2;
      for (const shard of await this.prefixShards(query.word)) {
        for (const term of Object.keys(shard)) {
          if (!found.has(term) && (term.startsWith(query.word) || stemOfTyped(term))) found.set(term, PREFIX);
        }
      }
    }
    return found;
  }

  // Index terms within the allowed number of typos of a query word: the near/ lists hold the
  // profiles' words as written (before stemming; see near.py), since a typo is made in the
  // word, and its stem can be further from the query's than the typo ("znginious" stems to
  // itself, "inginious" to "ingini"). A listed word within reach stands for its stem, the
  // index term; so does one whose stem is within reach of the query's stem.
  async corrections(query, already) {
    const typos = allowedTypos(query.word);
    if (!typos) return new Map();
    const keys = nearKeys(query.word);
    if (query.stem) for (const key of nearKeys(query.stem)) keys.add(key);
    const lists = await Promise.all([...keys].filter((key) => this.nearKeys.has(key))
      .map((key) => this.file(`near/${key}.json`)));
    const found = new Map();
    const seen = new Set();
    for (const word of lists.flat()) {
      if (seen.has(word)) continue;
      seen.add(word);
      let term = null;
      if (editDistance(query.word, word, typos) <= typos) {
        term = this.analyzer.stem(word);
      } else if (query.stem) {
        const stem = this.analyzer.stem(word); // the analyzer caches stems
        if (editDistance(query.stem, stem, typos) <= typos) term = stem;
      }
      if (term !== null && !already.has(term)) found.set(term, FUZZY);
    }
    return found;
  }

  // BM25F as whoosh.scoring.BM25F computes it, summed over fields with their boosts. The
  // term's shard must be loaded (see loadedShard). Scores go into typed arrays indexed by
  // document rather than Maps of objects: a common word matches thousands of profiles, and this
  // runs on every keystroke.
  scoreTerm(term, weight, how, word) {
    const { k1, b, boosts, avgLengths, docCount } = this.manifest;
    const sums = this.termScores ??= new Float64Array(docCount);
    const docs = [];
    for (const [field, flat] of this.loadedShard(term)[term]) {
      const frequency = flat.length / 3;
      const idf = Math.log(docCount / (frequency + 1)) + 1;
      let doc = 0;
      for (let i = 0; i < flat.length; i += 3) {
        doc += flat[i];
        const tf = flat[i + 1];
        const length = flat[i + 2];
        const score = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + (b * length) / avgLengths[field])));
        if (sums[doc] === 0) docs.push(doc);
        sums[doc] += score * boosts[field];
      }
    }
    // Per document, the word keeps its best match: the better class first, then the higher score.
    for (const doc of docs) {
      const score = sums[doc] * weight;
      sums[doc] = 0;
      const before = word.how[doc];
      if (before === NONE) word.docs.push(doc);
      if (how < before || (how === before && score > word.score[doc])) {
        word.how[doc] = how;
        word.score[doc] = score;
      }
    }
  }

  // A loaded shard's terms, synchronously: scoring runs once the shards it needs are in.
  loadedShard(term) {
    return this.loaded.get(this.shardKeyOf(term)) ?? {};
  }

  async loadShards(terms) {
    await Promise.all([...terms].map((term) => this.shard(this.shardKeyOf(term))));
  }

  // For one query word: per document, the best way it matched (EXACT, PREFIX, FUZZY or NONE)
  // and its score, and the documents it matched.
  async scoreWord(query) {
    const docCount = this.manifest.docCount;
    const word = { how: new Uint8Array(docCount).fill(NONE), score: new Float64Array(docCount), docs: [] };
    const add = (matched) => {
      for (const [term, how] of matched) this.scoreTerm(term, CLASS_WEIGHT[how], how, word);
    };
    const matched = await this.directMatches(query);
    await this.loadShards(matched.keys());
    add(matched);
    if (query.stem && word.docs.length < CORRECT_BELOW) {
      const corrected = await this.corrections(query, matched);
      await this.loadShards(corrected.keys());
      add(corrected);
      for (const [term, how] of corrected) matched.set(term, how);
    }
    return { ...word, terms: [...matched.keys()] };
  }

  passes(doc, filters, facets, except) {
    if (except !== "types" && filters.types.size && !filters.types.has(this.kindOf(doc))) return false;
    if (except !== "cities" && filters.cities.size) {
      const city = facets.docCity[doc];
      if (city < 0 || !filters.cities.has(this.manifest.cities[city][0])) return false;
    }
    if (except !== "sectors" && filters.sectors.size) {
      if (!facets.docSectors[doc].some((s) => filters.sectors.has(this.manifest.sectors[s][0]))) return false;
    }
    return true;
  }

  // Ranked hits for a query and filters, and, with options.counts, live facet counts (else
  // null): counts need facets.json, which a query without filters can do without.
  //   filters: { types: Set of kinds, sectors: Set of slugs, cities: Set of slugs }
  async search(text, filters, options = {}) {
    const queries = this.parse(text, options);
    const filtering = filters.types.size + filters.sectors.size + filters.cities.size > 0;
    // Each word's previews come in beside its shard, for describe() to draw the first results.
    const previewKeys = new Set(queries.map((query) => this.shardKeyOf(query.stem ?? query.word)));
    const [facets, words] = await Promise.all([
      options.counts || filtering ? this.facets() : null,
      Promise.all(queries.map((query) => this.scoreWord(query))),
      ...[...previewKeys].map((key) => this.previews(key)),
    ]);
    const terms = new Set(words.flatMap((w) => w.terms));
    const required = queries.filter((query) => !query.optional).length;
    // Every profile matching some word, with its total score and how it matched.
    const matching = () => {
      const docCount = this.manifest.docCount;
      const score = new Float64Array(docCount);
      const matched = new Uint8Array(docCount);
      const requiredMatched = new Uint8Array(docCount);
      const corrections = new Uint8Array(docCount);
      const docs = [];
      words.forEach((word, index) => {
        for (const doc of word.docs) {
          if (matched[doc] === 0) docs.push(doc);
          score[doc] += word.score[doc];
          matched[doc] += 1;
          if (!queries[index].optional) requiredMatched[doc] += 1;
          if (word.how[doc] === FUZZY) corrections[doc] += 1;
        }
      });
      return docs.map((doc) => ({ doc, score: score[doc], corrections: corrections[doc], matched: matched[doc], required: requiredMatched[doc] }));
    };
    const everyDoc = () => Array.from({ length: this.manifest.docCount },
      (_, doc) => ({ doc, score: 0, corrections: 0, matched: 0, required: 0 }));
    const passing = (candidates) => (filtering ? candidates.filter((hit) => this.passes(hit.doc, filters, facets)) : candidates);
    // All words must match, within the filters; failing that, any word will do (as query.py).
    let candidates = queries.length ? matching().filter((t) => t.required === required) : everyDoc();
    let hits = passing(candidates);
    let fallback = false;
    if (!hits.length && required > 1) {
      candidates = matching();
      hits = passing(candidates);
      fallback = hits.length > 0;
    }
    const counts = facets && this.count(candidates, filters, facets);
    hits.sort((x, y) => y.matched - x.matched || x.corrections - y.corrections || y.score - x.score || x.doc - y.doc);
    return { hits, fallback, counts, terms, words: queries.map((q) => q.word) };
  }

  // Disjunctive facet counts: a value's count is what ticking it would add, given the query
  // and the filters of the other groups.
  count(candidates, filters, facets) {
    const types = new Map();
    const sectors = new Map();
    const cities = new Map();
    const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
    for (const { doc } of candidates) {
      if (this.passes(doc, filters, facets, "types")) bump(types, this.kindOf(doc));
      if (this.passes(doc, filters, facets, "sectors")) {
        for (const s of facets.docSectors[doc]) bump(sectors, this.manifest.sectors[s][0]);
      }
      if (this.passes(doc, filters, facets, "cities") && facets.docCity[doc] >= 0) {
        bump(cities, this.manifest.cities[facets.docCity[doc]][0]);
      }
    }
    return { types, sectors, cities };
  }

  // What a result shows: name, type, city, summary and URL, from the previews when they hold
  // it, else from the docs/ chunk it is in (fetched only for results on screen).
  async describe(docs) {
    const size = this.manifest.docChunk;
    return Promise.all(docs.map(async (doc) => {
      if (!this.records.has(doc)) {
        const chunk = await this.file(`docs/${Math.floor(doc / size)}.json`);
        this.records.set(doc, chunk[doc % size]);
      }
      const [name, city, summary, url] = this.records.get(doc);
      return { doc, name, city, summary, url, kind: this.kindOf(doc) };
    }));
  }
}
