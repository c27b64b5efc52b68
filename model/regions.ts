import { badValue } from "../world/netem-error.js";

/** Built-in regions: city coordinates (degrees) of common cloud regions and the `continents` preset. */
export interface RegionSite {
  readonly name: string;
  readonly city: string;
  readonly lat: number;
  readonly lon: number;
}

const SITES: readonly RegionSite[] = [
  { name: "new-york", city: "New York NY", lat: 40.7128, lon: -74.006 },
  { name: "chicago", city: "Chicago IL", lat: 41.8781, lon: -87.6298 },
  { name: "london", city: "London", lat: 51.5074, lon: -0.1278 },
  { name: "asuncion", city: "Asuncion", lat: -25.2637, lon: -57.5759 },
  { name: "sao-paulo", city: "Sao Paulo", lat: -23.5505, lon: -46.6333 },
  { name: "frankfurt", city: "Frankfurt", lat: 50.1109, lon: 8.6821 },
  { name: "tokyo", city: "Tokyo", lat: 35.6762, lon: 139.6503 },
  { name: "singapore", city: "Singapore", lat: 1.3521, lon: 103.8198 },
  { name: "virginia", city: "Ashburn VA", lat: 39.0438, lon: -77.4874 },
  { name: "oregon", city: "The Dalles OR", lat: 45.5946, lon: -121.1787 },
  { name: "iowa", city: "Des Moines IA", lat: 41.5868, lon: -93.625 },
  { name: "california", city: "San Francisco CA", lat: 37.7749, lon: -122.4194 },
  { name: "texas", city: "San Antonio TX", lat: 29.4241, lon: -98.4936 },
  { name: "washington", city: "Quincy WA", lat: 47.2343, lon: -119.8526 },
  { name: "pune", city: "Pune", lat: 18.5204, lon: 73.8567 },
  { name: "mumbai", city: "Mumbai", lat: 19.076, lon: 72.8777 },
  { name: "sydney", city: "Sydney", lat: -33.8688, lon: 151.2093 },
  { name: "paris", city: "Paris", lat: 48.8566, lon: 2.3522 },
];

export const REGIONS: ReadonlyMap<string, RegionSite> = new Map(SITES.map((s) => [s.name, s]));

export function regionSite(name: string): RegionSite {
  const site = REGIONS.get(name);
  if (!site) throw badValue(`unknown region "${name}"; built-in regions: ${[...REGIONS.keys()].join(", ")}`);
  return site;
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle (haversine) distance in km. */
export function greatCircleKm(a: RegionSite, b: RegionSite): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function distanceKm(regionA: string, regionB: string): number {
  return greatCircleKm(regionSite(regionA), regionSite(regionB));
}
