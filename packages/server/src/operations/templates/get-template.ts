import { CONDITIONAL_ACCESS_TEMPLATES, type ConditionalAccessTemplate, findTemplate } from "@gatehouse/admin";
import { GatehouseError } from "@gatehouse/store";

export function getTemplate(id: string): ConditionalAccessTemplate {
  const template = findTemplate(CONDITIONAL_ACCESS_TEMPLATES, id);
  if (template === null) throw new GatehouseError("notFound", `There is no Conditional Access template with the id '${id}'.`);
  return template;
}
