// The browser half of the search analyzer; analyzer.py is the build-time half. Both follow
// analyzer.json (which the index manifest carries), and tests/test_search_parity.py holds them
// to the same tokens. Keep every step in the same order as analyzer.py.
import { stem } from "./stemmer.js";

const WORD = /[\p{L}\p{N}]+/gu;
const MARK = /\p{M}/gu;

export class Analyzer {
  constructor(spec) {
    this.stopWords = new Set(spec.stop_words);
    this.minLength = spec.min_length;
    this.maxLength = spec.max_length;
    const quoted = [...spec.apostrophes].map((c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
    this.apostrophes = new RegExp("[" + quoted.join("") + "]", "gu");
    this.stems = new Map();
  }

  // Lower case, accents and apostrophes gone: "María's" -> "marias".
  normalize(text) {
    return text.toLowerCase().normalize("NFKD").replace(MARK, "").replace(this.apostrophes, "");
  }

  // Normalised words, before stop words and stemming.
  words(text) {
    return this.normalize(text).match(WORD) || [];
  }

  keep(word) {
    const length = [...word].length; // code points, as Python counts
    return length >= this.minLength && length <= this.maxLength && !this.stopWords.has(word);
  }

  stem(word) {
    let result = this.stems.get(word);
    if (result === undefined) {
      result = stem(word);
      this.stems.set(word, result);
    }
    return result;
  }

  // The index terms of text, in order.
  analyze(text) {
    return this.words(text).filter((word) => this.keep(word)).map((word) => this.stem(word));
  }
}
