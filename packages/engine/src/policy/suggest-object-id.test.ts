import { describe, expect, it } from "vitest";
import { isGuid, isPlaceholder, ROLE_TEMPLATE_IDS_BY_NAME, suggestObjectId } from "./suggest-object-id.js";

describe("isPlaceholder", () => {
  it("recognizes placeholders of policy-as-code tools and templates", () => {
    for (const value of [
      "<EmergencyAccessAccountsGroup>",
      "100 - <RING> - x",
      "%OrganizationId%",
      "{{breakGlass}}",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text of a placeholder
      "${GROUP_ID}",
      "__GROUP_ID__",
      "current administrator will be excluded",
    ]) {
      expect(isPlaceholder(value), value).toBe(true);
    }
  });

  it("does not mistake ids, keywords and names for placeholders", () => {
    for (const value of ["5c9b3e7a-0d51-4c1e-9f3b-2b6c1a7d9e01", "All", "Helpdesk Administrator", "a < b", "100%"]) {
      expect(isPlaceholder(value), value).toBe(false);
    }
  });
});

describe("isGuid", () => {
  it("accepts GUIDs in any case and nothing else", () => {
    expect(isGuid("5C9B3E7A-0D51-4C1E-9F3B-2B6C1A7D9E01")).toBe(true);
    expect(isGuid("5c9b3e7a0d514c1e9f3b2b6c1a7d9e01")).toBe(false);
    expect(isGuid("{5c9b3e7a-0d51-4c1e-9f3b-2b6c1a7d9e01}")).toBe(false);
  });
});

describe("suggestObjectId", () => {
  it("maps role display names, legacy names included, to role template ids (§2.4)", () => {
    expect(ROLE_TEMPLATE_IDS_BY_NAME.get("company administrator")).toEqual({
      id: "62e90394-69f5-4237-9190-012177145e10",
      name: "Global Administrator",
    });
    expect(suggestObjectId("role", "Conditional Access Administrator")).toBe(
      "use the role template id b1be1c3e-b65d-4f19-8427-f6fa0d97feb9 (Conditional Access Administrator)",
    );
    expect(suggestObjectId("role", "User Account Administrator")).toContain("fe930be7-5e62-47db-91af-98c3a49a38b1");
  });

  it("suggests keywords and well-known app ids for application names", () => {
    expect(suggestObjectId("application", "Office 365")).toBe("did you mean the keyword Office365?");
    expect(suggestObjectId("application", "Microsoft Admin Portals")).toBe("did you mean the keyword MicrosoftAdminPortals?");
    expect(suggestObjectId("application", "Exchange Online")).toContain("00000002-0000-0ff1-ce00-000000000000");
    expect(suggestObjectId("application", "Payroll")).toContain("appId (GUID)");
  });

  it("recognizes UPNs and location keywords", () => {
    expect(suggestObjectId("user", "william@example.com")).toMatch(/^it looks like a user principal name/);
    expect(suggestObjectId("location", "All trusted locations")).toBe("did you mean the keyword AllTrusted?");
    expect(suggestObjectId("group", "Admins")).toBe("use the group's object id (GUID)");
  });
});
