/** Directory role template ids (spec §2.4). */
export const DIRECTORY_ROLE_TEMPLATES: Readonly<Record<string, string>> = {
  "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
  "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
  "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
  "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
  "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
  "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
  "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
  "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
  "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
  "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
  "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
  "966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
  "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
  "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
  "17315797-102d-40b4-93e0-432062caca18": "Compliance Administrator",
  "e6d1a23a-da11-4be4-9570-befc86d067a7": "Compliance Data Administrator",
  "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
  "44367163-eba1-44c3-98af-f5787879f96a": "Dynamics 365 Administrator",
  "11648597-926c-4cf3-9c36-bcebb0ba8dcc": "Power Platform Administrator",
  "d29b2b05-8046-44ba-8758-1e26182fcf32": "Directory Synchronization Accounts",
  "5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
  "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
  "4a5d8f65-41da-4de4-8968-e035b65339cf": "Reports Reader",
  "ac434307-12b9-4fa1-a708-88bf58caabc1": "Global Secure Access Administrator",
  "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c": "Attribute Definition Reader",
  "ffd52fa5-98dc-465c-991d-fc073eb59f8f": "Attribute Assignment Reader",
  "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d": "Attribute Assignment Administrator",
  "8424c6f0-a189-499e-bbd0-26c1753c96d4": "Attribute Definition Administrator",
  "7698a772-787b-4ac8-901f-60d6b08affd2": "Cloud Device Administrator",
};

/** The 14 admin roles of the "MFA for admins" templates (spec §2.4). */
export const ADMIN_ROLE_TEMPLATE_IDS: readonly string[] = Object.keys(DIRECTORY_ROLE_TEMPLATES).slice(0, 14);

/** Special location ids (spec §1.8). */
export const MFA_TRUSTED_IPS_LOCATION_ID = "00000000-0000-0000-0000-000000000000";
export const COMPLIANT_NETWORK_LOCATION_ID = "3d46dbda-8382-466a-856d-eb00cbc6b910";
