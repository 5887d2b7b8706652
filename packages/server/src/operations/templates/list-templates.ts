import { CONDITIONAL_ACCESS_TEMPLATES, type ConditionalAccessTemplate, filterTemplates } from "@gatehouse/admin";
import type { Page } from "@gatehouse/store";

export interface TemplateListFilter {
  id?: string;
  name?: string;
  nameStartsWith?: string;
  /** `scenarios has '...'` */
  scenario?: string;
}

/** Graph's templates, read-only and the same for every tenant (no store access). */
export function listTemplates(options: { top: number; skip: number; filter: TemplateListFilter }): Page<ConditionalAccessTemplate> {
  const f = options.filter;
  const all = filterTemplates(CONDITIONAL_ACCESS_TEMPLATES, { scenario: f.scenario ?? null }).filter(
    (t) =>
      (f.id === undefined || t.id.toLowerCase() === f.id.toLowerCase()) &&
      (f.name === undefined || t.name.toLowerCase() === f.name.toLowerCase()) &&
      (f.nameStartsWith === undefined || t.name.toLowerCase().startsWith(f.nameStartsWith.toLowerCase())),
  );
  const end = options.skip + options.top;
  return { value: all.slice(options.skip, end), nextSkip: all.length > end ? end : null };
}
