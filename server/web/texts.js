// The page's words. The server chose the language from Accept-Language and wrote it, with the
// `page` and `common` catalogs in that language, into the page as a JSON data block (#mux1-texts:
// not a script, so the CSP's "no inline script" holds). The static text is already translated by
// the server; this gives the page's scripts `window.mux1Texts.t(key, values)` for the text they make.
//
// Lookups are done here rather than with i18next in the browser: the page needs three of its
// features - nested keys, `{{name}}` filled with values, and `key_one`/`key_other` picked by
// `count` - and i18next does the last with Intl.PluralRules, as this does, so the catalogs read the
// same on both sides. i18next would be another script to serve and an asynchronous start, and its
// fallback between languages is not needed: test/i18n/catalogs.test.ts holds every key in both.
'use strict';

(() => {
  const { language, catalogs } = JSON.parse(document.getElementById('mux1-texts').textContent);
  const plural = new Intl.PluralRules(language);

  function lookup(namespace, path) {
    let node = catalogs[namespace];
    for (const part of path.split('.')) {
      if (!node || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
      node = node[part];
    }
    return typeof node === 'string' ? node : undefined;
  }

  /** A text by key (`common:` for the other namespace), `{{name}}` filled, `count` picking the plural. */
  function t(key, values = {}) {
    const colon = key.indexOf(':');
    const namespace = colon > 0 ? key.slice(0, colon) : 'page';
    const path = colon > 0 ? key.slice(colon + 1) : key;
    let text;
    if (typeof values.count === 'number') {
      text =
        lookup(namespace, `${path}_${plural.select(values.count)}`) ?? lookup(namespace, `${path}_other`);
    }
    text ??= lookup(namespace, path);
    if (text === undefined) return key;
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name) =>
      Object.hasOwn(values, name) ? String(values[name]) : whole,
    );
  }

  /**
   * What a person is shown for a failure, as tui/client/language.ts describeFailure says it: in
   * English the server's own words (they name the detail: which field, how long to wait); in another
   * language the catalog's text for its code (common:errors.<code>), or the server's words for a
   * code the catalog lacks.
   */
  function failureText(code, serverWords) {
    if (language === 'en' || typeof code !== 'string') return serverWords;
    const key = `common:errors.${code}`;
    const text = t(key);
    return text === key ? serverWords : text;
  }

  /** A success the server describes: its words in English, the page's own text in another language. */
  function said(serverWords, ownText) {
    return language === 'en' && typeof serverWords === 'string' && serverWords ? serverWords : ownText;
  }

  // Dates and times in the page's language, in the reader's regional form when the browser has one
  // of that language (de-AT, en-GB).
  const locale = (window.navigator.languages ?? []).find((tag) => tag.split('-')[0] === language) ?? language;

  window.mux1Texts = Object.freeze({ language, locale, t, failureText, said });
})();
