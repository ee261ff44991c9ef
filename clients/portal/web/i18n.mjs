// The language of the page: French by default, English when chosen (the
// choice, and nothing else, is kept in localStorage).
import fr from './texts-fr.mjs';
import en from './texts-en.mjs';

const texts = { fr, en };
let lang = localStorage.getItem('lang') === 'en' ? 'en' : 'fr';
document.documentElement.lang = lang;

export function language() {
  return lang;
}

export function setLanguage(next) {
  lang = next === 'en' ? 'en' : 'fr';
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
}

// The text of `key` with {name} replaced from `values`.
export function t(key, values = {}) {
  const text = texts[lang][key] ?? texts.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) =>
    name in values ? String(values[name]) : m);
}

// A LocalizedText ({fr, en}) in the page's language, French when missing.
export function localized(text) {
  if (!text) return '';
  return (lang === 'en' && text.en) ? text.en : (text.fr || '');
}

// Unix seconds (number or string) as a date (and time) for people.
export function formatDate(seconds, withTime = true) {
  const n = Number(seconds || 0);
  if (!n) return '';
  const options = withTime ?
    { dateStyle: 'long', timeStyle: 'short' } : { dateStyle: 'long' };
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'fr-FR', options)
      .format(new Date(n * 1000));
}
