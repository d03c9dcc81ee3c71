import { type ChannelView, ChannelConfigPatch, CreateChannelBody, UpdateChannelBody } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import {
  CHANNEL_FIELDS,
  CHANNEL_TYPES,
  channelFormFromView,
  emptyChannelForm,
  parseRecipients,
  storedMask,
  toCreateChannelBody,
  toUpdateChannelBody,
  validateChannelForm,
} from "./channel-form.ts";

const view = (
  type: ChannelView["type"],
  config: Record<string, unknown>,
  secretsSet: Record<string, boolean>,
): ChannelView => ({
  id: "0b8f5a52-7a0e-4c55-8f43-7c0d4b8b9e01",
  name: "Ops",
  type,
  config,
  secretsSet,
  lastDelivery: null,
  lastTest: null,
  version: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  createdBy: "admin",
  updatedBy: "admin",
});

const webhook = view(
  "WEBHOOK",
  { url: "https://hooks.example.com/****abcd", secret: "****wxyz" },
  { url: true, secret: true },
);

describe("channel form model", () => {
  it("builds a create body the API accepts for every type", () => {
    const bodies = {
      WEBHOOK: {
        ...emptyChannelForm("WEBHOOK"),
        name: " Ops ",
        url: " https://hooks.example.com/x ",
        secret: "0123456789abcdef",
      },
      SLACK: { ...emptyChannelForm("SLACK"), name: "Slack", url: "https://hooks.slack.com/services/T/B/x" },
      TEAMS: { ...emptyChannelForm("TEAMS"), name: "Teams", url: "https://prod.workflows.example.com/x" },
      PAGERDUTY: { ...emptyChannelForm("PAGERDUTY"), name: "PD", routingKey: "R0UT1NGKEY123" },
      EMAIL: {
        ...emptyChannelForm("EMAIL"),
        name: "Mail",
        to: "a@example.com, b@example.com\nc@example.com",
      },
    };
    for (const type of CHANNEL_TYPES) {
      const body = toCreateChannelBody(bodies[type]);
      expect(CreateChannelBody.parse(body)).toEqual(body);
      expect(body.type).toBe(type);
    }
    expect(toCreateChannelBody(bodies.WEBHOOK)).toEqual({
      name: "Ops",
      type: "WEBHOOK",
      config: { url: "https://hooks.example.com/x", secret: "0123456789abcdef" },
    });
    expect(toCreateChannelBody(bodies.EMAIL).config).toEqual({
      to: ["a@example.com", "b@example.com", "c@example.com"],
    });
    // An empty optional field is left out rather than sent empty.
    expect(toCreateChannelBody({ ...bodies.WEBHOOK, secret: "" }).config).toEqual({
      url: "https://hooks.example.com/x",
    });
    expect(toCreateChannelBody(bodies.PAGERDUTY).config).toEqual({ routingKey: "R0UT1NGKEY123" });
  });

  it("never puts a masked secret into an edit form", () => {
    const form = channelFormFromView(webhook);
    expect(form.url).toBe("");
    expect(form.secret).toBe("");
    expect(JSON.stringify(form)).not.toContain("****");
    const pd = channelFormFromView(
      view(
        "PAGERDUTY",
        { routingKey: "****9876", url: "https://pd-proxy.example.com/enqueue" },
        { routingKey: true },
      ),
    );
    expect(pd.routingKey).toBe("");
    expect(pd.url).toBe("https://pd-proxy.example.com/enqueue"); // not a secret: shown as is
    expect(storedMask(webhook, "url")).toBe("https://hooks.example.com/****abcd");
    expect(storedMask(webhook, "routingKey")).toBeNull();
  });

  it("patches only what was typed: empty secrets keep the stored ones", () => {
    const untouched = toUpdateChannelBody(channelFormFromView(webhook), webhook);
    expect(untouched).toEqual({});
    const renamed = toUpdateChannelBody({ ...channelFormFromView(webhook), name: "Ops 2" }, webhook);
    expect(renamed).toEqual({ name: "Ops 2" });
    const newSecret = toUpdateChannelBody(
      { ...channelFormFromView(webhook), secret: "fedcba9876543210" },
      webhook,
    );
    expect(newSecret).toEqual({ config: { secret: "fedcba9876543210" } });
    const removed = toUpdateChannelBody(
      { ...channelFormFromView(webhook), removeSecret: true, secret: "ignored-ignored" },
      webhook,
    );
    expect(removed).toEqual({ config: { secret: null } });
    for (const body of [renamed, newSecret, removed]) {
      UpdateChannelBody.parse(body);
      if (body.config) ChannelConfigPatch.WEBHOOK.parse(body.config);
    }
  });

  it("clears PagerDuty's proxy URL with null and replaces email recipients", () => {
    const pdView = view(
      "PAGERDUTY",
      { routingKey: "****9876", url: "https://pd-proxy.example.com/enqueue" },
      { routingKey: true },
    );
    const cleared = toUpdateChannelBody({ ...channelFormFromView(pdView), url: "" }, pdView);
    expect(cleared).toEqual({ config: { url: null } });
    ChannelConfigPatch.PAGERDUTY.parse(cleared.config);
    const mailView = view("EMAIL", { to: ["a@example.com"] }, {});
    expect(toUpdateChannelBody(channelFormFromView(mailView), mailView)).toEqual({});
    expect(
      toUpdateChannelBody({ ...channelFormFromView(mailView), to: "a@example.com; b@example.com" }, mailView),
    ).toEqual({
      config: { to: ["a@example.com", "b@example.com"] },
    });
  });

  it("requires the type's fields, except stored secrets when editing", () => {
    expect(validateChannelForm(emptyChannelForm("WEBHOOK"), null)).toEqual({
      name: "Name is required",
      "config.url": "Webhook URL is required",
    });
    expect(validateChannelForm(emptyChannelForm("PAGERDUTY"), null)).toHaveProperty("config.routingKey");
    expect(validateChannelForm({ ...emptyChannelForm("EMAIL"), name: "m", to: " , " }, null)).toEqual({
      "config.to": "Recipients is required",
    });
    expect(validateChannelForm(channelFormFromView(webhook), webhook)).toEqual({});
  });

  it("shows one input per config field of each type, secrets marked", () => {
    expect(CHANNEL_FIELDS.WEBHOOK.filter((f) => f.secret).map((f) => f.key)).toEqual(["url", "secret"]);
    expect(CHANNEL_FIELDS.SLACK.map((f) => [f.key, f.secret])).toEqual([["url", true]]);
    expect(CHANNEL_FIELDS.PAGERDUTY.map((f) => [f.key, f.secret])).toEqual([
      ["routingKey", true],
      ["url", false],
    ]);
    expect(CHANNEL_FIELDS.EMAIL.map((f) => f.key)).toEqual(["to"]);
    expect(parseRecipients("a@x.org,\n b@x.org ;c@x.org")).toEqual(["a@x.org", "b@x.org", "c@x.org"]);
  });
});
