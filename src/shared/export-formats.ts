/** The export file formats (a module of its own: command definitions name them without loading zod). */
export const EXPORT_FORMATS = ['csv', 'json', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Also `rvtools`: the whole estate as one .xlsx workbook in RVTools' layout (sheets vInfo … vMetaData). */
export const FILE_FORMATS = [...EXPORT_FORMATS, 'rvtools'] as const;
export type ExportFileFormat = (typeof FILE_FORMATS)[number];
