/** The databases a SQL source reads (a module of its own: command definitions name them without loading zod). */
export const SOURCE_KINDS = ['mssql', 'postgres'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
