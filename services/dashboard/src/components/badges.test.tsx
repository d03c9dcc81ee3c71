import { MantineProvider } from "@mantine/core";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { INTEGRATION_STATUSES, INTEGRATION_TYPES, STATUS_COLORS, TYPE_COLORS } from "../lib/palette.ts";
import { StatusBadge, TypeBadge } from "./badges.tsx";

const render = (node: React.ReactNode) => renderToStaticMarkup(<MantineProvider>{node}</MantineProvider>);

describe("badges", () => {
  it("uses the seed palette", () => {
    expect(STATUS_COLORS).toMatchObject({
      ACTIVE: "#40c057",
      INACTIVE: "#868e96",
      ERROR: "#fa5252",
      TESTING: "#fab005",
    });
    expect(TYPE_COLORS).toMatchObject({
      HL7: "#228be6",
      FHIR: "#20c997",
      PAYMENT_GATEWAY: "#51cf66",
      LAB_SYSTEM: "#be4bdb",
      IMAGING_SYSTEM: "#5c7cfa",
    });
  });

  it.each(INTEGRATION_STATUSES)("renders status %s with its colour and a text label", (status) => {
    const html = render(<StatusBadge status={status} />);
    expect(html).toContain(`data-status="${status}"`);
    expect(html.toLowerCase()).toContain(`background-color:${STATUS_COLORS[status]}`);
    expect(html).toMatch(/aria-label="Status: \w+"/);
  });

  it.each(INTEGRATION_TYPES)("renders type %s with its colour", (type) => {
    const html = render(<TypeBadge type={type} />);
    expect(html).toContain(`data-type="${type}"`);
    expect(html.toLowerCase()).toContain(`color:${TYPE_COLORS[type]}`);
  });
});
