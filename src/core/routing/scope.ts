// Whose system a ticket is about. Ours: a declared service or device, this host in so many words (localhost, a
// loopback address, "this server"), a host, IP or URL it names, or this platform's own servers as its operators
// write about them. The requester's: their printer, headset, laptop, phone, TV, console, NAS… Neither: nothing
// named. Only our estate is ever diagnosed from here; the requester's equipment and an unnamed system go to a person.
// What is declared or this host outweighs the requester's equipment ("my laptop cannot reach db01" is about db01);
// an address the requester gives beside their own equipment is where that equipment is, not a machine of ours.
import type { ExtractedContext, Scope } from '../ticket.ts';

// The requester's own equipment: things people hold, wear, carry, keep on a desk or at home, and what they use up.
const EQUIPMENT = new RegExp(
  String.raw`\b(?:printers?|scanners?|copiers?|fax(?: machine)?s?|ink(?: cartridges?)?|toner(?: cartridges?)?|cartridges?|` +
    String.raw`headsets?|headphones?|earbuds|earphones|airpods|microphones?|webcams?|cameras?|camcorders?|dslrs?|lens(?:es)?|speakers?|sound ?bars?|` +
    String.raw`laptops?|notebooks?|macbooks?|chromebooks?|desktops?|pcs?|computers?|tablets?|ipads?|phones?|smartphones?|iphones?|mobile phones?|` +
    String.raw`monitors?|keyboards?|mice|mouse|trackpads?|touchpads?|styluse?s?|docking stations?|docks?|chargers?|charging cables?|power banks?|batter(?:y|ies)|` +
    String.raw`nas|external (?:drive|disk|hard drive|ssd)s?|usb (?:stick|drive)s?|flash drives?|memory cards?|sd cards?|routers?|modems?|wi-?fi extenders?|range extenders?|mesh (?:system|node)s?|` +
    String.raw`smart ?watch(?:es)?|fitness trackers?|wearables?|smart ?tvs?|tvs?|televisions?|set-?top box(?:es)?|streaming (?:stick|device|box)s?|` +
    String.raw`(?:game|gaming|video game) consoles?|playstation|xbox|nintendo switch|game ?pads?|(?:game|gaming) controllers?|joysticks?|vr headsets?|` +
    String.raw`projectors?|ultrabooks?|handhelds?|e-?readers?|kindles?|graphics cards?|drones?|gps (?:unit|device)s?|` +
    String.raw`smart (?:home|speaker|plug|bulb|light|lock|thermostat|doorbell|display|hub)s?|thermostats?|doorbells?|security cameras?|baby monitors?|robot vacuums?|` +
    String.raw`(?:washing|coffee|espresso) machines?|dishwashers?|fridges?|refrigerators?|microwaves?|` +
    String.raw`(?:my|our|their|his|her|several|multiple|these|those) (?:\w+ )?(?:devices?|gadgets?))\b`,
  'i',
);
// A product the requester bought is in the requester's hands, whatever it is.
const BOUGHT =
  /\b(?:(?:i|we) (?:recently |just )?(?:purchased|bought|ordered)|(?:purchased|bought|ordered) (?:it |this |them )?(?:from|at|through) your|from your (?:online )?(?:store|shop)|one of your products|your (?:device|product|hardware) (?:i|we) (?:use|own|have)|under warranty|warranty)\b/i;
// This platform's own servers, as its operators write about them.
const OUR_SERVERS =
  /\b(?:our|the|this|that|a|one of (?:our|the)) (?:production |prod |web |database |db |app |application |file |mail )?(?:servers?|hosts?|vms?|virtual machines?|instances?|boxe?s?|clusters?|nodes?)\b/i;
// This very machine, in so many words.
const THIS_HOST = /\b(?:localhost|this (?:host|machine|server|box)|the local (?:host|machine))\b/i;
const LOOPBACK = /^(?:localhost|::1|127\.\d+\.\d+\.\d+)$/i;

/** A declared service or device, or what the source gave with the ticket (never mere words of the text). */
export function namesDeclared(context: ExtractedContext): boolean {
  return (
    !!context.serviceName ||
    !!context.deviceId ||
    context.found.some((f) => f.kind === 'service' || f.kind === 'device' || f.source === 'given')
  );
}

/** A declared thing, or a host, IP or URL written in the text. */
export function namesEstate(context: ExtractedContext): boolean {
  return (
    namesDeclared(context) ||
    !!context.url ||
    context.found.some((f) => f.kind === 'host' || f.kind === 'ip' || f.kind === 'url')
  );
}

/** This machine by a loopback address or in so many words. */
export function namesThisHost(text: string, context: ExtractedContext): boolean {
  return (
    THIS_HOST.test(text) || context.found.some((f) => (f.kind === 'host' || f.kind === 'ip') && LOOPBACK.test(f.value))
  );
}

/** The scope and the words that decided it. */
export function decideScope(text: string, context: ExtractedContext): { scope: Scope; evidence: string[] } {
  const named = context.found.map((f) => `${f.kind} ${f.value}`);
  if (namesDeclared(context) || namesThisHost(text, context)) {
    return {
      scope: 'estate',
      evidence: named.length > 0 ? named : [THIS_HOST.exec(text)?.[0].toLowerCase() ?? 'given context'],
    };
  }
  const equipment = EQUIPMENT.exec(text);
  if (equipment) return { scope: 'customer_equipment', evidence: [`the requester's ${equipment[0].toLowerCase()}`] };
  const bought = BOUGHT.exec(text);
  if (bought)
    return { scope: 'customer_equipment', evidence: [`the requester's product ("${bought[0].toLowerCase()}")`] };
  if (namesEstate(context)) return { scope: 'estate', evidence: named };
  const servers = OUR_SERVERS.exec(text);
  if (servers) return { scope: 'estate', evidence: [servers[0].toLowerCase()] };
  return { scope: 'unnamed', evidence: [] };
}
