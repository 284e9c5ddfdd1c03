/** The preset applied when a config names none. Kept apart so start-up needn't load schemas. */
export const DEFAULT_PRESET = 'default';
