// The browser's search engine over the index that index.py exports.
//
// Ranking is Whoosh's BM25F, computed from the same numbers Whoosh used at build time, so that
// whole-word queries rank exactly as `invoke search` does. On top of it, for people typing:
// the last word also matches as a prefix, and words of 4+ letters tolerate one typo (8+: two).
// A profile matched through a corrected word always ranks below one matched exactly.
import { Analyzer } from "./analyzer.js";

const EXACT = 0;
const PREFIX = 1;
const FUZZY = 2;
// Prefix completions and corrections count for less than the word itself.
const CLASS_WEIGHT = [1, 0.8, 0.5];

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

// The keys of the shards where a word, or a term one typo away from it, can be found:
// index.py stores each term under its first two letters and lists it near the keys of its
// one-letter deletions in the first three letters.
function shardKeys(word, typos) {
  const c = codePoints(word);
  const keys = new Set([c.slice(0, 2).join("")]);
  if (typos && c.length >= 3) {
    keys.add(c[1] + c[2]);
    keys.add(c[0] + c[2]);
  }
  return keys;
}

export class SearchEngine {
  static async open(indexUrl) {
    const manifest = await fetchJSON(new URL("manifest.json", indexUrl), { cache: "no-cache" });
    return new SearchEngine(indexUrl, manifest);
  }

  constructor(indexUrl, manifest) {
    this.base = indexUrl;
    this.manifest = manifest;
    this.analyzer = new Analyzer(manifest.analyzer);
    this.keys = new Set(manifest.keys);
    this.cache = new Map();
    this.kindStarts = [0];
    for (const count of manifest.kindCounts) this.kindStarts.push(this.kindStarts.at(-1) + count);
  }

  file(name) {
    if (!this.cache.has(name)) {
      const url = new URL(`${name}?v=${this.manifest.hash}`, this.base);
      this.cache.set(name, fetchJSON(url));
    }
    return this.cache.get(name);
  }

  shard(key) {
    return this.keys.has(key) ? this.file(`terms/${key}.json`) : Promise.resolve(null);
  }

  kindOf(doc) {
    let kind = 0;
    while (doc >= this.kindStarts[kind + 1]) kind++;
    return this.manifest.kinds[kind];
  }

  // Which documents carry each sector and city, decoded once from facets.json.
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
        return { docCity, docSectors };
      });
    }
    return this.decodedFacets;
  }

  // The words of a query. While the user types (no trailing space), the last word is also a
  // prefix; a stop word or a short word is then still worth completing.
  parse(text, { typing = true } = {}) {
    const words = this.analyzer.words(text);
    const open = typing && words.length > 0 && !/\s$/u.test(text);
    const parsed = [];
    const seen = new Set();
    words.forEach((word, index) => {
      const prefix = open && index === words.length - 1;
      const kept = this.analyzer.keep(word);
      if ((!kept && !(prefix && codePoints(word).length >= 2)) || seen.has(word)) return;
      seen.add(word);
      parsed.push({ word, stem: kept ? this.analyzer.stem(word) : null, prefix });
    });
    return parsed;
  }

  // Every index term a query word matches, with how it matched.
  async matches(query) {
    const typos = allowedTypos(query.word);
    const keys = shardKeys(query.word, typos);
    if (query.stem) for (const key of shardKeys(query.stem, typos)) keys.add(key);
    const shards = new Map();
    await Promise.all([...keys].map(async (key) => shards.set(key, await this.shard(key))));
    const found = new Map();
    const own = shards.get(codePoints(query.word).slice(0, 2).join(""));
    const stemShard = query.stem && shards.get(codePoints(query.stem).slice(0, 2).join(""));
    if (stemShard && query.stem in stemShard.t) found.set(query.stem, EXACT);
    if (query.prefix && own) {
      for (const term of Object.keys(own.t)) {
        if (found.has(term)) continue;
        // A stem can be shorter than the word being typed ("runn" is on its way to "run").
        const stemOfTyped = query.word.startsWith(term) && term.length >= 3 && query.word.length - term.length <= 2;
        if (term.startsWith(query.word) || stemOfTyped) found.set(term, PREFIX);
      }
    }
    if (typos) {
      for (const shard of shards.values()) {
        if (!shard) continue;
        for (const term of [...Object.keys(shard.t), ...shard.n]) {
          if (found.has(term)) continue;
          const distance = Math.min(
            editDistance(query.word, term, typos),
            query.stem ? editDistance(query.stem, term, typos) : typos + 1,
          );
          if (distance <= typos) found.set(term, FUZZY);
        }
      }
    }
    return found;
  }

  // BM25F as whoosh.scoring.BM25F computes it, summed over fields with their boosts.
  async scoreTerm(term) {
    const shard = await this.shard(codePoints(term).slice(0, 2).join(""));
    const { k1, b, boosts, avgLengths, docCount } = this.manifest;
    const scores = new Map();
    for (const [field, flat] of shard.t[term]) {
      const frequency = flat.length / 3;
      const idf = Math.log(docCount / (frequency + 1)) + 1;
      let doc = 0;
      for (let i = 0; i < flat.length; i += 3) {
        doc += flat[i];
        const tf = flat[i + 1];
        const length = flat[i + 2];
        const score = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + (b * length) / avgLengths[field])));
        scores.set(doc, (scores.get(doc) ?? 0) + score * boosts[field]);
      }
    }
    return scores;
  }

  // For one query word: per document, the best way it matched and its score.
  async scoreWord(query) {
    const matched = await this.matches(query);
    const perDoc = new Map();
    await Promise.all([...matched].map(async ([term, how]) => {
      const scores = await this.scoreTerm(term);
      for (const [doc, raw] of scores) {
        const score = raw * CLASS_WEIGHT[how];
        const best = perDoc.get(doc);
        if (!best || how < best.how || (how === best.how && score > best.score)) {
          perDoc.set(doc, { how, score });
        }
      }
    }));
    return { perDoc, terms: [...matched.keys()] };
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

  // Ranked hits for a query and filters, with live facet counts.
  //   filters: { types: Set of kinds, sectors: Set of slugs, cities: Set of slugs }
  async search(text, filters, options = {}) {
    const queries = this.parse(text, options);
    const [facets, words] = await Promise.all([
      this.facets(),
      Promise.all(queries.map((query) => this.scoreWord(query))),
    ]);
    let candidates;
    let fallback = false;
    const terms = new Set(words.flatMap((w) => w.terms));
    if (!queries.length) {
      candidates = Array.from({ length: this.manifest.docCount }, (_, doc) => ({ doc, score: 0, corrections: 0, matched: 0 }));
    } else {
      const combine = (requireAll) => {
        const totals = new Map();
        for (const { perDoc } of words) {
          for (const [doc, { how, score }] of perDoc) {
            const total = totals.get(doc) ?? { doc, score: 0, corrections: 0, matched: 0 };
            total.score += score;
            total.matched += 1;
            if (how === FUZZY) total.corrections += 1;
            totals.set(doc, total);
          }
        }
        const all = [...totals.values()];
        return requireAll ? all.filter((t) => t.matched === words.length) : all;
      };
      candidates = combine(true);
      if (!candidates.length && words.length > 1) {
        candidates = combine(false);
        fallback = candidates.length > 0;
      }
    }
    const counts = this.count(candidates, filters, facets);
    const hits = candidates.filter((hit) => this.passes(hit.doc, filters, facets));
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

  // What a result shows: name, type, city, summary and URL, fetched only for shown results.
  async describe(docs) {
    const size = this.manifest.docChunk;
    return Promise.all(docs.map(async (doc) => {
      const chunk = await this.file(`docs/${Math.floor(doc / size)}.json`);
      const [name, city, summary, url] = chunk[doc % size];
      return { doc, name, city, summary, url, kind: this.kindOf(doc) };
    }));
  }
}
