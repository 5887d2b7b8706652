/** `/v1.0/users`, `/groups` (with members), `/applications`, `/servicePrincipals`, `/roleManagement/directory/roleAssignments`. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseListQuery } from "../odata/parse-list-query.js";
import { addPassword } from "../operations/applications/add-password.js";
import { applicationRepresentation } from "../operations/applications/application-representation.js";
import { createApplication } from "../operations/applications/create-application.js";
import { deleteApplication } from "../operations/applications/delete-application.js";
import { getApplication } from "../operations/applications/get-application.js";
import { addKey, keyCredentialRepresentation, removeKey } from "../operations/applications/key-credentials.js";
import { listApplications } from "../operations/applications/list-applications.js";
import { removePassword } from "../operations/applications/remove-password.js";
import { updateApplication } from "../operations/applications/update-application.js";
import { addGroupMember } from "../operations/groups/add-group-member.js";
import { createGroup } from "../operations/groups/create-group.js";
import { deleteGroup } from "../operations/groups/delete-group.js";
import { getGroup } from "../operations/groups/get-group.js";
import { groupRepresentation } from "../operations/groups/group-representation.js";
import { listGroupMembers } from "../operations/groups/list-group-members.js";
import { listGroups } from "../operations/groups/list-groups.js";
import { removeGroupMember } from "../operations/groups/remove-group-member.js";
import { updateGroup } from "../operations/groups/update-group.js";
import { createRoleAssignment } from "../operations/role-assignments/create-role-assignment.js";
import { deleteRoleAssignment } from "../operations/role-assignments/delete-role-assignment.js";
import { getRoleAssignment } from "../operations/role-assignments/get-role-assignment.js";
import { listRoleAssignments } from "../operations/role-assignments/list-role-assignments.js";
import { roleAssignmentRepresentation } from "../operations/role-assignments/role-assignment-representation.js";
import { createServicePrincipal } from "../operations/service-principals/create-service-principal.js";
import { deleteServicePrincipal } from "../operations/service-principals/delete-service-principal.js";
import { getServicePrincipal } from "../operations/service-principals/get-service-principal.js";
import { listServicePrincipals } from "../operations/service-principals/list-service-principals.js";
import { servicePrincipalRepresentation } from "../operations/service-principals/service-principal-representation.js";
import { updateServicePrincipal } from "../operations/service-principals/update-service-principal.js";
import { createUser } from "../operations/users/create-user.js";
import { deleteUser } from "../operations/users/delete-user.js";
import { getUser } from "../operations/users/get-user.js";
import { listUsers } from "../operations/users/list-users.js";
import { updateUser } from "../operations/users/update-user.js";
import { userRepresentation } from "../operations/users/user-representation.js";
import {
  addRoute,
  allowUnsafe,
  baseUrl,
  listBody,
  odataContext,
  operationContext,
  params,
  query,
  type RouteDeps,
  returnRepresentation,
} from "./route-support.js";

const NAME_EQ = { id: "id", displayName: "displayName" };
const NAME_STARTS = { displayName: "displayNameStartsWith" };

const entity = (request: FastifyRequest, contextPath: string, body: Record<string, unknown>): Record<string, unknown> => ({
  "@odata.context": `${odataContext(request, contextPath)}/$entity`,
  ...body,
});

/** PATCH answer: 204, or 200 with the object when `Prefer: return=representation`. */
function patched(request: FastifyRequest, reply: FastifyReply, body: () => Record<string, unknown>): FastifyReply {
  return returnRepresentation(request) ? reply.code(200).send(body()) : reply.code(204).send();
}

function registerUsers(app: FastifyInstance, deps: RouteDeps): void {
  const base = "/v1.0/users";
  const TAG = "Users";
  addRoute(app, "GET", base, "users.read", "List users", TAG, async (request) => {
    const list = parseListQuery(query(request), {
      eq: { ...NAME_EQ, userPrincipalName: "userPrincipalName", userType: "userType", accountEnabled: "accountEnabled" },
      booleans: ["accountEnabled"],
      startsWith: NAME_STARTS,
    });
    return listBody(request, "users", await listUsers(operationContext(request, deps), list), list, userRepresentation);
  });
  addRoute(app, "GET", `${base}/:id`, "users.read", "Get a user", TAG, async (request) =>
    entity(request, "users", userRepresentation(await getUser(operationContext(request, deps), params(request).id as string))),
  );
  addRoute(app, "POST", base, "users.write", "Create a user (passwordProfile.password is stored hashed)", TAG, async (request, reply) => {
    const user = await createUser(operationContext(request, deps), request.body);
    reply.code(201).header("location", `${baseUrl(request)}${base}/${user.id}`);
    return entity(request, "users", userRepresentation(user));
  });
  addRoute(app, "PATCH", `${base}/:id`, "users.write", "Update a user", TAG, async (request, reply) => {
    const user = await updateUser(operationContext(request, deps), { id: params(request).id as string, patch: request.body });
    return patched(request, reply, () => entity(request, "users", userRepresentation(user)));
  });
  addRoute(app, "DELETE", `${base}/:id`, "users.write", "Delete a user", TAG, async (request, reply) => {
    await deleteUser(operationContext(request, deps), params(request).id as string);
    return reply.code(204).send();
  });
}

function registerGroups(app: FastifyInstance, deps: RouteDeps): void {
  const base = "/v1.0/groups";
  const TAG = "Groups";
  addRoute(app, "GET", base, "groups.read", "List groups", TAG, async (request) => {
    const list = parseListQuery(query(request), { eq: NAME_EQ, startsWith: NAME_STARTS });
    return listBody(request, "groups", await listGroups(operationContext(request, deps), list), list, groupRepresentation);
  });
  addRoute(app, "GET", `${base}/:id`, "groups.read", "Get a group", TAG, async (request) =>
    entity(request, "groups", groupRepresentation(await getGroup(operationContext(request, deps), params(request).id as string))),
  );
  addRoute(app, "POST", base, "groups.write", "Create a security group", TAG, async (request, reply) => {
    const group = await createGroup(operationContext(request, deps), request.body);
    reply.code(201).header("location", `${baseUrl(request)}${base}/${group.id}`);
    return entity(request, "groups", groupRepresentation(group));
  });
  addRoute(app, "PATCH", `${base}/:id`, "groups.write", "Update a group", TAG, async (request, reply) => {
    const group = await updateGroup(operationContext(request, deps), { id: params(request).id as string, patch: request.body });
    return patched(request, reply, () => entity(request, "groups", groupRepresentation(group)));
  });
  addRoute(app, "DELETE", `${base}/:id`, "groups.write", "Delete a group", TAG, async (request, reply) => {
    await deleteGroup(operationContext(request, deps), params(request).id as string, allowUnsafe(request));
    return reply.code(204).send();
  });
  addRoute(app, "GET", `${base}/:id/members`, "groups.read", "List a group's direct members", TAG, async (request) => {
    const list = parseListQuery(query(request), {});
    const id = params(request).id as string;
    const page = await listGroupMembers(operationContext(request, deps), { groupId: id, top: list.top, skip: list.skip });
    return listBody(request, "directoryObjects", page, list, (m) => m);
  });
  addRoute(app, "GET", `${base}/:id/members/$ref`, "groups.read", "List references to a group's direct members", TAG, async (request) => {
    const list = parseListQuery(query(request), {});
    const id = params(request).id as string;
    const page = await listGroupMembers(operationContext(request, deps), { groupId: id, top: list.top, skip: list.skip });
    return listBody(request, "directoryObjects", page, list, (m) => ({
      "@odata.id": `${baseUrl(request)}/v1.0/directoryObjects/${String(m.id)}`,
    }));
  });
  addRoute(
    app,
    "POST",
    `${base}/:id/members/$ref`,
    "groups.write",
    "Add a member (user or group) to a group",
    TAG,
    async (request, reply) => {
      await addGroupMember(operationContext(request, deps), {
        groupId: params(request).id as string,
        body: request.body,
        acknowledgeUnsafe: allowUnsafe(request),
      });
      return reply.code(204).send();
    },
  );
  addRoute(
    app,
    "DELETE",
    `${base}/:id/members/:memberId/$ref`,
    "groups.write",
    "Remove a member from a group",
    TAG,
    async (request, reply) => {
      const p = params(request);
      await removeGroupMember(operationContext(request, deps), {
        groupId: p.id as string,
        memberId: p.memberId as string,
        acknowledgeUnsafe: allowUnsafe(request),
      });
      return reply.code(204).send();
    },
  );
}

function registerApplications(app: FastifyInstance, deps: RouteDeps): void {
  const base = "/v1.0/applications";
  const TAG = "Applications";
  addRoute(app, "GET", base, "applications.read", "List applications (app registrations)", TAG, async (request) => {
    const list = parseListQuery(query(request), { eq: { ...NAME_EQ, appId: "appId" }, startsWith: NAME_STARTS });
    const page = await listApplications(operationContext(request, deps), list);
    return listBody(request, "applications", page, list, (a) => applicationRepresentation(a.application, a.credentials, a.keyCredentials));
  });
  addRoute(app, "GET", `${base}/:id`, "applications.read", "Get an application (secrets are never returned)", TAG, async (request) => {
    const { application, credentials, keyCredentials } = await getApplication(
      operationContext(request, deps),
      params(request).id as string,
    );
    return entity(request, "applications", applicationRepresentation(application, credentials, keyCredentials));
  });
  addRoute(app, "POST", base, "applications.write", "Register an application", TAG, async (request, reply) => {
    const application = await createApplication(operationContext(request, deps), request.body);
    reply.code(201).header("location", `${baseUrl(request)}${base}/${application.id}`);
    return entity(request, "applications", applicationRepresentation(application, []));
  });
  addRoute(app, "PATCH", `${base}/:id`, "applications.write", "Update an application", TAG, async (request, reply) => {
    const ctx = operationContext(request, deps);
    const application = await updateApplication(ctx, { id: params(request).id as string, patch: request.body });
    if (!returnRepresentation(request)) return reply.code(204).send();
    const { credentials, keyCredentials } = await getApplication(ctx, application.id);
    return reply.code(200).send(entity(request, "applications", applicationRepresentation(application, credentials, keyCredentials)));
  });
  addRoute(app, "DELETE", `${base}/:id`, "applications.write", "Delete an application", TAG, async (request, reply) => {
    await deleteApplication(operationContext(request, deps), params(request).id as string);
    return reply.code(204).send();
  });
  addRoute(
    app,
    "POST",
    `${base}/:id/addPassword`,
    "applications.write",
    "Add a client secret (returned once; stored hashed)",
    TAG,
    async (request, reply) => {
      const secret = await addPassword(operationContext(request, deps), {
        applicationId: params(request).id as string,
        body: request.body,
      });
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
      return reply.code(200).send({ "@odata.context": odataContext(request, "microsoft.graph.passwordCredential"), ...secret });
    },
  );
  addRoute(app, "POST", `${base}/:id/removePassword`, "applications.write", "Remove a client secret", TAG, async (request, reply) => {
    await removePassword(operationContext(request, deps), { applicationId: params(request).id as string, body: request.body });
    return reply.code(204).send();
  });
  addRoute(
    app,
    "POST",
    `${base}/:id/addKey`,
    "applications.write",
    "Add a certificate (keyCredential), with a proof of possession of a current one",
    TAG,
    async (request, reply) => {
      const key = await addKey(operationContext(request, deps), { applicationId: params(request).id as string, body: request.body });
      return reply
        .code(200)
        .send({ "@odata.context": odataContext(request, "microsoft.graph.keyCredential"), ...keyCredentialRepresentation(key) });
    },
  );
  addRoute(
    app,
    "POST",
    `${base}/:id/removeKey`,
    "applications.write",
    "Remove a certificate (keyCredential), with a proof of possession of a current one",
    TAG,
    async (request, reply) => {
      await removeKey(operationContext(request, deps), { applicationId: params(request).id as string, body: request.body });
      return reply.code(204).send();
    },
  );
}

function registerServicePrincipals(app: FastifyInstance, deps: RouteDeps): void {
  const base = "/v1.0/servicePrincipals";
  const TAG = "Service principals";
  addRoute(app, "GET", base, "applications.read", "List service principals", TAG, async (request) => {
    const list = parseListQuery(query(request), { eq: { ...NAME_EQ, appId: "appId" }, startsWith: NAME_STARTS });
    return listBody(
      request,
      "servicePrincipals",
      await listServicePrincipals(operationContext(request, deps), list),
      list,
      servicePrincipalRepresentation,
    );
  });
  addRoute(app, "GET", `${base}/:id`, "applications.read", "Get a service principal", TAG, async (request) =>
    entity(
      request,
      "servicePrincipals",
      servicePrincipalRepresentation(await getServicePrincipal(operationContext(request, deps), params(request).id as string)),
    ),
  );
  addRoute(app, "POST", base, "applications.write", "Create a service principal for an application", TAG, async (request, reply) => {
    const sp = await createServicePrincipal(operationContext(request, deps), request.body);
    reply.code(201).header("location", `${baseUrl(request)}${base}/${sp.id}`);
    return entity(request, "servicePrincipals", servicePrincipalRepresentation(sp));
  });
  addRoute(app, "PATCH", `${base}/:id`, "applications.write", "Update a service principal", TAG, async (request, reply) => {
    const sp = await updateServicePrincipal(operationContext(request, deps), { id: params(request).id as string, patch: request.body });
    return patched(request, reply, () => entity(request, "servicePrincipals", servicePrincipalRepresentation(sp)));
  });
  addRoute(app, "DELETE", `${base}/:id`, "applications.write", "Delete a service principal", TAG, async (request, reply) => {
    await deleteServicePrincipal(operationContext(request, deps), params(request).id as string);
    return reply.code(204).send();
  });
}

function registerRoleAssignments(app: FastifyInstance, deps: RouteDeps): void {
  const base = "/v1.0/roleManagement/directory/roleAssignments";
  const TAG = "Role assignments";
  const CONTEXT = "roleManagement/directory/roleAssignments";
  addRoute(app, "GET", base, "roleAssignments.read", "List directory role assignments", TAG, async (request) => {
    const list = parseListQuery(query(request), { eq: { id: "id", principalId: "principalId", roleDefinitionId: "roleTemplateId" } });
    return listBody(request, CONTEXT, await listRoleAssignments(operationContext(request, deps), list), list, roleAssignmentRepresentation);
  });
  addRoute(app, "GET", `${base}/:id`, "roleAssignments.read", "Get a directory role assignment", TAG, async (request) =>
    entity(
      request,
      CONTEXT,
      roleAssignmentRepresentation(await getRoleAssignment(operationContext(request, deps), params(request).id as string)),
    ),
  );
  addRoute(app, "POST", base, "roleAssignments.write", "Assign a directory role (tenant-wide)", TAG, async (request, reply) => {
    const assignment = await createRoleAssignment(operationContext(request, deps), request.body);
    reply.code(201).header("location", `${baseUrl(request)}${base}/${assignment.id}`);
    return entity(request, CONTEXT, roleAssignmentRepresentation(assignment));
  });
  addRoute(app, "DELETE", `${base}/:id`, "roleAssignments.write", "Remove a directory role assignment", TAG, async (request, reply) => {
    await deleteRoleAssignment(operationContext(request, deps), params(request).id as string);
    return reply.code(204).send();
  });
}

export function registerDirectoryRoutes(app: FastifyInstance, deps: RouteDeps): void {
  registerUsers(app, deps);
  registerGroups(app, deps);
  registerApplications(app, deps);
  registerServicePrincipals(app, deps);
  registerRoleAssignments(app, deps);
}
