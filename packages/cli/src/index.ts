/**
 * @gatehouse/cli as a library: the tenant loader and the commands, for the server and other
 * tools that want the CLI's file handling without spawning it.
 */

export { classifyDocument, type DocumentKind, isScenarioDocument } from "./classify-document.js";
export { CliError, ExitCode, type ExitCodeValue } from "./cli-error.js";
export { type BufferedIo, type CliIo, createBufferedIo, type OutputStream, processIo, useColor, writeWithBackpressure } from "./cli-io.js";
export { type LoginOptions, type LogoutOptions, runLogin, runLogout } from "./commands/login.js";
export { runScenarios, runTest, type TestCaseReport, type TestFileReport, type TestOptions, type TestReport } from "./commands/test.js";
export { type FileReport, runValidate, type ValidateOptions, type ValidateReport, validatePaths } from "./commands/validate.js";
export { answerRequestLine, runWhatif, type WhatifOptions } from "./commands/whatif.js";
export { formatIssue } from "./format-issue.js";
export { formatWhatifTable, type WhatifTableOptions } from "./format-whatif-table.js";
export {
  fileProblems,
  type IssueLocation,
  isTenantSnapshot,
  type LoadedTenant,
  loadTenant,
  policyItems,
  TENANT_FILE_NAMES,
  TENANT_KEYS,
} from "./load-tenant.js";
export { describeFileError, type ReadJsonFileResult, readJsonFile } from "./read-json-file.js";
export { configDir, credentialsPath, type ServerCredentials } from "./remote/credentials-file.js";
export { type RemoteSession, type RemoteSessionOptions, remoteSession } from "./remote/remote-session.js";
