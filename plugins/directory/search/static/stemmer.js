// English Snowball (Porter2) stemmer -- a line-by-line twin of Whoosh 2.7.4's
// whoosh/lang/snowball/english.py (EnglishStemmer.stem, which is what
// whoosh.lang.stemmer_for_language("english") returns).
//
// Why it exists: the search index is built at site-build time by Whoosh, and
// the browser has to turn the visitor's query into the very same stems, or
// queries would silently miss.  So this file copies Whoosh exactly, including
// the places where Whoosh differs from the published Porter2 algorithm (the
// quirky R1/R2 bookkeeping, the "short word" test in step 1b, the e-deletion
// test in step 5).  Do not "fix" it against the Snowball reference; fix it
// against Whoosh.  tests/test_stemmer_parity.py checks this in Chromium.
//
// Python indexes strings by code point, JavaScript by UTF-16 unit, so the
// word and its regions R1/R2 are kept as arrays of code points.  R1 and R2 are
// separate values, not offsets into the word: Whoosh lets them drift apart
// from the word (e.g. R2 becomes "e" in step 2), and those drifts change stems.

const VOWELS = "aeiouy";
const DOUBLE_CONSONANTS = ["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"];
const LI_ENDING = "cdeghkmnrt";
const STEP0_SUFFIXES = ["'s'", "'s", "'"];
const STEP1A_SUFFIXES = ["sses", "ied", "ies", "us", "ss", "s"];
const STEP1B_SUFFIXES = ["eedly", "ingly", "edly", "eed", "ing", "ed"];
const STEP2_SUFFIXES = [
  "ization", "ational", "fulness", "ousness", "iveness", "tional", "biliti",
  "lessli", "entli", "ation", "alism", "aliti", "ousli", "iviti", "fulli",
  "enci", "anci", "abli", "izer", "ator", "alli", "bli", "ogi", "li",
];
const STEP3_SUFFIXES = [
  "ational", "tional", "alize", "icate", "iciti", "ative", "ical", "ness", "ful",
];
const STEP4_SUFFIXES = [
  "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate",
  "iti", "ous", "ive", "ize", "ion", "al", "er", "ic",
];

// Words stemmed by lookup, before anything else.
const SPECIAL_WORDS = new Map(Object.entries({
  skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie",
  idly: "idl", gently: "gentl", ugly: "ugli", early: "earli", only: "onli",
  singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas",
  cosmos: "cosmos", bias: "bias", andes: "andes",
  inning: "inning", innings: "inning", outing: "outing", outings: "outing",
  canning: "canning", cannings: "canning", herring: "herring",
  herrings: "herring", earring: "earring", earrings: "earring",
  proceed: "proceed", proceeds: "proceed", proceeded: "proceed",
  proceeding: "proceed", exceed: "exceed", exceeds: "exceed",
  exceeded: "exceed", exceeding: "exceed", succeed: "succeed",
  succeeds: "succeed", succeeded: "succeed", succeeding: "succeed",
}));

// `c` is one code point (or undefined past either end of the word).
const isVowel = (c) => c !== undefined && VOWELS.includes(c);
const isOneOf = (letters, c) => c !== undefined && letters.includes(c);

const endsWith = (chars, suffix) =>
  chars.length >= suffix.length &&
  chars.slice(chars.length - suffix.length).join("") === suffix;

// The first listed suffix the word ends with (Whoosh stops at the first match
// even when its condition then fails).
const findSuffix = (chars, suffixes) => suffixes.find((s) => endsWith(chars, s));

// The region after the first non-vowel that follows a vowel (Whoosh's
// _r1r2_standard loop; it never looks at position 0 as the non-vowel).
function regionAfterVowelConsonant(chars) {
  for (let i = 1; i < chars.length; i++) {
    if (!isVowel(chars[i]) && isVowel(chars[i - 1])) return chars.slice(i + 1);
  }
  return [];
}

export function stem(input) {
  let text = String(input).toLowerCase();
  if (SPECIAL_WORDS.has(text)) return SPECIAL_WORDS.get(text);

  text = text.replace(/[\u2018\u2019\u201B]/g, "'");
  if (text.startsWith("'")) text = text.slice(1);

  let word = Array.from(text);
  let r1;
  let r2;

  // Drop the last `n` code points of the word and its regions, then append
  // `replacement`.  A region shorter than `n` becomes "" (R2: `r2Fallback`),
  // exactly like the Python slicing in english.py.
  const replaceEnd = (n, replacement = "", r2Fallback = "") => {
    const tail = Array.from(replacement);
    word = [...word.slice(0, -n), ...tail];
    r1 = r1.length >= n ? [...r1.slice(0, -n), ...tail] : [];
    r2 = r2.length >= n ? [...r2.slice(0, -n), ...tail] : Array.from(r2Fallback);
  };

  // A "y" at the start or after a vowel is a consonant: mark it "Y".
  if (word[0] === "y") word[0] = "Y";
  for (let i = 1; i < word.length; i++) {
    if (isVowel(word[i - 1]) && word[i] === "y") word[i] = "Y";
  }

  const start = word.join("");
  if (start.startsWith("gener") || start.startsWith("arsen")) {
    r1 = word.slice(5);
  } else if (start.startsWith("commun")) {
    r1 = word.slice(6);
  } else {
    r1 = regionAfterVowelConsonant(word);
  }
  r2 = regionAfterVowelConsonant(r1);

  // Step 0: possessive apostrophes.
  let suffix = findSuffix(word, STEP0_SUFFIXES);
  if (suffix) replaceEnd(suffix.length);

  // Step 1a: plurals.
  suffix = findSuffix(word, STEP1A_SUFFIXES);
  if (suffix === "sses") {
    replaceEnd(2);
  } else if (suffix === "ied" || suffix === "ies") {
    replaceEnd(word.length - 3 > 1 ? 2 : 1);
  } else if (suffix === "s") {
    if (word.slice(0, -2).some(isVowel)) replaceEnd(1);
  }

  // Step 1b: -eed, -ed, -ing and their -ly forms.
  suffix = findSuffix(word, STEP1B_SUFFIXES);
  if (suffix === "eed" || suffix === "eedly") {
    if (endsWith(r1, suffix)) replaceEnd(suffix.length, "ee");
  } else if (suffix && word.slice(0, -suffix.length).some(isVowel)) {
    replaceEnd(suffix.length);
    if (["at", "bl", "iz"].some((s) => endsWith(word, s))) {
      word.push("e");
      r1.push("e");
      if (word.length > 5 || r1.length >= 3) r2.push("e");
    } else if (DOUBLE_CONSONANTS.some((s) => endsWith(word, s))) {
      replaceEnd(1);
    } else if (
      r1.length === 0 &&
      ((word.length >= 3 &&
        !isVowel(word.at(-1)) &&
        !isOneOf("wxY", word.at(-1)) &&
        isVowel(word.at(-2)) &&
        !isVowel(word.at(-3))) ||
        (word.length === 2 && isVowel(word[0]) && !isVowel(word[1])))
    ) {
      word.push("e");
      if (r1.length > 0) r1.push("e");
      if (r2.length > 0) r2.push("e");
    }
  }

  // Step 1c: final y/Y after a non-vowel becomes i.
  if (word.length > 2 && isOneOf("yY", word.at(-1)) && !isVowel(word.at(-2))) {
    replaceEnd(1, "i");
  }

  // Step 2.
  suffix = findSuffix(word, STEP2_SUFFIXES);
  if (suffix && endsWith(r1, suffix)) {
    const n = suffix.length;
    switch (suffix) {
      case "tional": case "entli": case "fulli": case "lessli":
        replaceEnd(2); break;
      case "enci": case "anci": case "abli":
        replaceEnd(1, "e"); break;
      case "izer": case "ization":
        replaceEnd(n, "ize"); break;
      case "ational": case "ation": case "ator":
        replaceEnd(n, "ate", "e"); break;
      case "alism": case "aliti": case "alli":
        replaceEnd(n, "al"); break;
      case "fulness":
        replaceEnd(4); break;
      case "ousli": case "ousness":
        replaceEnd(n, "ous"); break;
      case "iveness": case "iviti":
        replaceEnd(n, "ive", "e"); break;
      case "biliti": case "bli":
        replaceEnd(n, "ble"); break;
      case "ogi":
        if (word.at(-4) === "l") replaceEnd(1);
        break;
      case "li":
        if (isOneOf(LI_ENDING, word.at(-3))) replaceEnd(2);
        break;
    }
  }

  // Step 3.
  suffix = findSuffix(word, STEP3_SUFFIXES);
  if (suffix && endsWith(r1, suffix)) {
    const n = suffix.length;
    switch (suffix) {
      case "tional":
        replaceEnd(2); break;
      case "ational":
        replaceEnd(n, "ate"); break;
      case "alize":
        replaceEnd(3); break;
      case "icate": case "iciti": case "ical":
        replaceEnd(n, "ic"); break;
      case "ful": case "ness":
        replaceEnd(n); break;
      case "ative":
        if (endsWith(r2, suffix)) replaceEnd(5);
        break;
    }
  }

  // Step 4: suffixes removed when in R2 (-ion only after s or t).
  suffix = findSuffix(word, STEP4_SUFFIXES);
  if (suffix && endsWith(r2, suffix)) {
    if (suffix !== "ion") replaceEnd(suffix.length);
    else if (isOneOf("st", word.at(-4))) replaceEnd(3);
  }

  // Step 5: final -e and -ll.
  if (endsWith(r2, "l") && word.at(-2) === "l") {
    word.pop();
  } else if (endsWith(r2, "e")) {
    word.pop();
  } else if (
    endsWith(r1, "e") &&
    word.length >= 4 &&
    (isVowel(word.at(-2)) ||
      isOneOf("wxY", word.at(-2)) ||
      !isVowel(word.at(-3)) ||
      isVowel(word.at(-4)))
  ) {
    word.pop();
  }

  return word.join("").replaceAll("Y", "y");
}
