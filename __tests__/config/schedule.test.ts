import { parseSchedule, ScheduleError } from "../../config/schedule";
import { isNetworkAddress, overlaps, parseCidr, subnetCidr } from "../../contract/cidr";

describe("parseSchedule derives the gaps between runs", () => {
  it.each([
    ["rate(1 hour)", 60, 60],
    ["rate(12 hours)", 720, 720],
    ["rate(2 days)", 2880, 2880],
    ["cron(0 2 * * ? *)", 1440, 1440],
    ["cron(0 */6 * * ? *)", 360, 360],
    ["cron(15 1,13 * * ? *)", 720, 720],
    ["cron(0 1,5 * * ? *)", 240, 1200],
    ["cron(0 8-18/2 * * ? *)", 120, 840],
    ["cron(30 2 ? * MON-FRI *)", 1440, 4320],
    ["cron(0 0 ? * 1 *)", 10080, 10080],
  ])("%s runs every %i to %i minutes", (expression, min, max) => {
    expect(parseSchedule(expression)).toEqual({ expression, kind: expression.slice(0, 4) === "rate" ? "rate" : "cron", minGapMinutes: min, maxGapMinutes: max });
  });

  it.each([
    ["rate(0 hours)", /the value must be 1 or more/],
    ["rate(8 days)", /the longest allowed period is 10080 minutes/],
    ["cron(0 2 1 * ? *)", /day-of-month must be \* or \?/],
    ["cron(0 2 * * * *)", /exactly one of day-of-month and day-of-week must be \?/],
    ["cron(0 2 * JAN ? *)", /month and year must be \*/],
    ["cron(0/5 * * * ? *)", /the minute field must be one number/],
    ["cron(0 5-1 * * ? *)", /hour range "5-1" runs backwards/],
    ["cron(0 2 ? * FUNDAY *)", /day-of-week "FUNDAY" must be a number 1-7/],
  ])("refuses %s", (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(ScheduleError);
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});

describe("CIDR arithmetic", () => {
  it("parses, checks the network address and splits into subnets", () => {
    const block = parseCidr("10.20.0.0/16")!;
    expect(isNetworkAddress(block)).toBe(true);
    expect(isNetworkAddress(parseCidr("10.20.0.1/16")!)).toBe(false);
    expect([0, 1, 2].map((i) => subnetCidr(block, 4, i))).toEqual(["10.20.0.0/20", "10.20.16.0/20", "10.20.32.0/20"]);
    expect(subnetCidr(parseCidr("192.168.4.0/24")!, 4, 1)).toBe("192.168.4.16/28");
    expect(parseCidr("10.0.0.256/16")).toBeUndefined();
  });

  it("detects overlap in either direction and only then", () => {
    const wide = parseCidr("10.0.0.0/8")!;
    expect(overlaps(wide, parseCidr("10.200.0.0/16")!)).toBe(true);
    expect(overlaps(parseCidr("10.200.0.0/16")!, wide)).toBe(true);
    expect(overlaps(parseCidr("10.1.0.0/16")!, parseCidr("10.2.0.0/16")!)).toBe(false);
    expect(overlaps(parseCidr("10.1.0.0/24")!, parseCidr("10.1.0.128/25")!)).toBe(true);
  });
});
