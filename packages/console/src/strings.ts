// How a part of the console brings its own words: English defines the keys, German must
// give every one of them (the compiler checks), so no view ships half translated.
export interface Strings<K extends string> {
  en: Readonly<Record<K, string>>;
  de: Readonly<Record<K, string>>;
}

export function defineStrings<E extends Record<string, string>>(
  en: E,
  de: Record<keyof E & string, string>,
): Strings<keyof E & string> {
  return { en, de };
}
