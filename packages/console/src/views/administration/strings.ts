// The Administration view's words, English and German.
import { defineStrings } from '../../strings.js';

export const strings = defineStrings({}, {});
