import { GatehouseError } from "@gatehouse/store";
import { describe, expect, it } from "vitest";
import { retryOnRace } from "./update-policy.js";

const raced = () => new GatehouseError("preconditionFailed", "changed since it was read");

describe("retryOnRace", () => {
  it("redoes a write that raced with another one when the client sent no If-Match", async () => {
    let attempts = 0;
    const result = await retryOnRace(undefined, async () => {
      attempts++;
      if (attempts < 3) throw raced();
      return "written";
    });
    expect(result).toBe("written");
    expect(attempts).toBe(3);
  });

  it("leaves the race to the client (412) when it sent If-Match", async () => {
    let attempts = 0;
    await expect(
      retryOnRace(4, async () => {
        attempts++;
        throw raced();
      }),
    ).rejects.toMatchObject({ code: "preconditionFailed" });
    expect(attempts).toBe(1);
  });

  it("gives up after five attempts and never retries other errors", async () => {
    let attempts = 0;
    await expect(
      retryOnRace(undefined, async () => {
        attempts++;
        throw raced();
      }),
    ).rejects.toMatchObject({ code: "preconditionFailed" });
    expect(attempts).toBe(5);
    await expect(retryOnRace(undefined, async () => Promise.reject(new GatehouseError("notFound", "gone")))).rejects.toMatchObject({
      code: "notFound",
    });
  });
});
