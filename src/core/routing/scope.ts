// Whose system a ticket is about. Ours: a declared service or device, a host, IP or URL it names, or this
// platform's own servers in so many words. The requester's: their printer, headset, laptop, phone, NAS… Neither:
// nothing named. Only our estate is ever diagnosed from here; the requester's equipment goes to a person.
import type { ExtractedContext, Scope } from '../ticket.ts';

// The requester's own equipment: things people hold, wear, carry or keep on a desk or at home.
const EQUIPMENT = new RegExp(String.raw`\b(?:printers?|scanners?|copiers?|headsets?|headphones?|earbuds|earphones|microphones?|webcams?|cameras?|speakers?|` +
  String.raw`laptops?|notebooks?|macbooks?|chromebooks?|desktops?|pcs?|computers?|tablets?|ipads?|phones?|smartphones?|iphones?|mobile phones?|` +
  String.raw`monitors?|keyboards?|mice|mouse|trackpads?|touchpads?|docking stations?|docks?|chargers?|batter(?:y|ies)|` +
  String.raw`nas|external (?:drive|disk|hard drive)s?|usb (?:stick|drive)s?|routers?|modems?|wi-?fi extenders?|mesh (?:system|node)s?|smart ?watch(?:es)?|smart tvs?|tvs?|` +
  String.raw`game consoles?|projectors?|ultrabooks?|handhelds?|e-?readers?|graphics cards?|(?:my|our|their|his|her|several|multiple|these|those) (?:\w+ )?devices?)\b`, 'i');
// A product the requester bought is in the requester's hands, whatever it is.
const BOUGHT = /\b(?:(?:i|we) (?:recently |just )?(?:purchased|bought|ordered)|(?:purchased|bought|ordered) (?:it |this |them )?(?:from|at|through) your|from your (?:online )?(?:store|shop)|one of your products|your (?:device|product|hardware) (?:i|we) (?:use|own|have))\b/i;
// This platform's own servers, as its operators write about them.
const OUR_SERVERS = /\b(?:our|the|this|that|a|one of (?:our|the)) (?:production |prod |web |database |db |app |application |file |mail )?(?:servers?|hosts?|vms?|virtual machines?|instances?|boxe?s?|clusters?|nodes?)\b/i;

export function namesEstate(context: ExtractedContext): boolean {
  return !!context.serviceName || !!context.deviceId || !!context.url
    || context.found.some((f) => f.kind === 'service' || f.kind === 'device' || f.kind === 'host' || f.kind === 'ip' || f.kind === 'url');
}

/** The scope and the words that decided it. */
export function decideScope(text: string, context: ExtractedContext): { scope: Scope; evidence: string[] } {
  if (namesEstate(context)) {
    const named = context.found.map((f) => `${f.kind} ${f.value}`);
    return { scope: 'estate', evidence: named.length > 0 ? named : ['given context'] };
  }
  const equipment = EQUIPMENT.exec(text);
  if (equipment) return { scope: 'customer_equipment', evidence: [`the requester's ${equipment[0].toLowerCase()}`] };
  const bought = BOUGHT.exec(text);
  if (bought) return { scope: 'customer_equipment', evidence: [`the requester's product ("${bought[0].toLowerCase()}")`] };
  const servers = OUR_SERVERS.exec(text);
  if (servers) return { scope: 'estate', evidence: [servers[0].toLowerCase()] };
  return { scope: 'unnamed', evidence: [] };
}
