import { describe, expect, it } from "vitest";
import { href, parseRoute, type Route } from "./router.ts";

describe("router", () => {
  it("parses every route it builds", () => {
    const routes: Route[] = [
      { name: "overview" },
      { name: "list" },
      { name: "create" },
      { name: "detail", id: "a b" },
      { name: "edit", id: "x" },
      { name: "incidents" },
      { name: "incident", id: "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e03" },
      { name: "channels" },
      { name: "policies" },
      { name: "signin" },
    ];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
  });

  it("opens the links the alert service puts in notifications (<base>/incidents/<id>)", () => {
    expect(parseRoute("/dashboard/integration/incidents/abc/")).toEqual({ name: "incident", id: "abc" });
    expect(parseRoute("/dashboard/integration/incidents/abc/x")).toEqual({ name: "notfound" });
  });
});
