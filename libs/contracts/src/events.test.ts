import { describe, expect, it } from "vitest";
import { AnyEvent, ConfigEvent, cloudEvent, EVENT_SOURCES, StatusEvent } from "./events.ts";
import { topicNames } from "./topics.ts";

const id = "7b0c1c52-8a5e-4a35-9d7c-7f6c2f0b9d11";
const integrationId = "2f1d9f0e-7c3a-4c1b-9a55-0e5d8b3c6a77";

describe("event contracts", () => {
  it("builds a CloudEvents 1.0 envelope that parses as a config event", () => {
    const e = cloudEvent({
      id,
      type: "integration.deleted",
      source: EVENT_SOURCES.configService,
      subject: integrationId,
      tenantId: "t1",
      sequence: 7,
      data: { integrationId, name: "Lab", integrationType: "LAB_SYSTEM", version: 3, actor: "u1" },
    });
    const parsed = ConfigEvent.parse(e);
    expect(parsed.specversion).toBe("1.0");
    expect(parsed.tenantid).toBe("t1");
    expect(StatusEvent.safeParse(e).success).toBe(false);
    expect(AnyEvent.safeParse(e).success).toBe(true);
  });

  it("rejects events without a tenant or with a negative sequence", () => {
    const base = {
      specversion: "1.0",
      id,
      source: "/x",
      time: new Date().toISOString(),
      subject: integrationId,
      type: "integration.deleted",
      data: { integrationId, name: "a", integrationType: "API", version: 1, actor: "u" },
    };
    expect(AnyEvent.safeParse({ ...base, sequence: 1 }).success).toBe(false);
    expect(AnyEvent.safeParse({ ...base, tenantid: "t", sequence: -1 }).success).toBe(false);
  });

  it("prefixes topic names for isolation", () => {
    expect(topicNames("x.").config).toBe("x.integration.config.v1");
    expect(topicNames().status).toBe("integration.status.v1");
  });
});
