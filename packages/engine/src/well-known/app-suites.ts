/**
 * Membership of the resource suite keywords (spec §2.1, R19).
 *
 * Microsoft publishes the suites' contents only as display names (spec, known gaps), so
 * Gatehouse ships its own appId table of the well-known first-party resources. Suites are
 * matched on the *resource* appId of the token request, never on the client (§2.2).
 */

/**
 * Office 365 suite: first-party *resource* services listed in
 * reference-office-365-application-contents (clients are never targets, §2.2). Extend with
 * `compileTenant`'s `suites` option when a tenant needs more.
 */
export const OFFICE_365_APP_IDS: readonly string[] = [
  "00000002-0000-0ff1-ce00-000000000000", // Office 365 Exchange Online
  "00000003-0000-0ff1-ce00-000000000000", // Office 365 SharePoint Online (and OneDrive)
  "00000004-0000-0ff1-ce00-000000000000", // Skype for Business Online
  "00000005-0000-0ff1-ce00-000000000000", // Office 365 Yammer (Viva Engage)
  "00000006-0000-0ff1-ce00-000000000000", // Microsoft Office 365 Portal (Office.com)
  "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", // Microsoft Teams Services
  "09abbdfd-ed23-44ee-a2d9-a627aa1c90f3", // Office 365 Planner
  "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87", // Microsoft Forms
  "cf53fce8-def6-4aeb-8d30-b158e7b1cf83", // Microsoft Stream Portal
  "905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba", // Sway
  "95de633a-083e-42f5-b444-a4295d8e9314", // Microsoft Whiteboard Services
  "2d4d3d8e-2be3-4bef-9f87-7875a61c29de", // OneNote
  "4345a7b9-9a63-4910-a426-35363201d503", // O365 Suite UX
  "00b41c95-dab0-4487-9791-b9d2c32c80f2", // Office 365 Management
  "66a88757-258c-4c72-893c-3e8bed4d6899", // Office 365 Search Service
];

/**
 * Microsoft Admin Portals: Azure portal, Microsoft Entra admin center and Intune admin
 * center (one client id, spec §2.2), Exchange admin center, Microsoft 365 admin center,
 * Microsoft 365 Defender portal (the spec's list also names Purview and the Teams admin
 * center, whose resource ids are not published; tenants add them with `compileTenant`'s
 * `suites` option).
 */
export const MICROSOFT_ADMIN_PORTALS_APP_IDS: readonly string[] = [
  "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", // Azure portal / Entra admin center / Intune admin center
  "497effe9-df71-4043-a8bb-14cf78c4b63b", // Exchange admin center
  "00000006-0000-0ff1-ce00-000000000000", // Microsoft 365 admin center (Office 365 Portal)
  "80ccca67-54bd-44ab-8625-4b79c4dc7775", // Microsoft 365 Defender / Security & Compliance Center
];

export const SUITE_KEYWORDS = {
  Office365: OFFICE_365_APP_IDS,
  MicrosoftAdminPortals: MICROSOFT_ADMIN_PORTALS_APP_IDS,
} as const;

export type SuiteKeyword = keyof typeof SUITE_KEYWORDS;

/** Well-known resource appIds used by rules (spec §2.2). */
export const WELL_KNOWN_APP_IDS = {
  windowsAzureServiceManagementApi: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
  exchangeOnline: "00000002-0000-0ff1-ce00-000000000000",
  sharePointOnline: "00000003-0000-0ff1-ce00-000000000000",
  windowsAzureActiveDirectory: "00000002-0000-0000-c000-000000000000",
  microsoftGraph: "00000003-0000-0000-c000-000000000000",
  deviceRegistrationService: "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9",
} as const;
