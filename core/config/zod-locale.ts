/**
 * zod/mini (issue 18 goal 1) sets no error messages of its own; classic zod loads English on import.
 * Every file on zod/mini imports this module first, so messages read as they did with classic zod.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
