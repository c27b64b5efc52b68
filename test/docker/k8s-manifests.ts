import { readFile } from "node:fs/promises";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Job } from "kubernetes-models/batch/v1/Job";
import { parseAllDocuments } from "yaml";

/** The subset of the Kubernetes objects the checks read (the schemas check the rest). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: Array<{ containerPort: number; name?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  securityContext?: { capabilities?: { add?: string[] } };
}
export interface JobObject {
  kind: "Job";
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    template: {
      metadata?: { labels?: Record<string, string> };
      spec: {
        subdomain?: string;
        restartPolicy?: string;
        nodeSelector?: Record<string, string>;
        containers: Container[];
        volumes?: Array<{ name: string; configMap?: { name: string } }>;
      };
    };
  };
}
export interface ServiceObject {
  kind: "Service";
  metadata: { name: string };
  spec: { clusterIP?: string; publishNotReadyAddresses?: boolean; selector?: Record<string, string>; ports?: Array<{ port: number }> };
}
export interface ConfigMapObject {
  kind: "ConfigMap";
  metadata: { name: string };
  data?: Record<string, string>;
}
export type K8sObject = JobObject | ServiceObject | ConfigMapObject;

/** kubernetes-models' classes validate against the Kubernetes OpenAPI schemas they ship (ajv-compiled). */
const MODELS: Record<string, { new (data: never): { validate(): void } }> = {
  "v1/ConfigMap": ConfigMap as never,
  "v1/Service": Service as never,
  "batch/v1/Job": Job as never,
};

/** Every document of a manifest file, parsed (YAML errors and warnings fail) and schema-checked. */
export async function loadManifest(path: string): Promise<K8sObject[]> {
  const docs = parseAllDocuments(await readFile(path, "utf8"));
  if (!Array.isArray(docs)) throw new Error(`${path}: no documents`);
  return docs.map((doc, i) => {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) throw new Error(`${path} document ${i}: ${problems.map((p) => p.message).join("; ")}`);
    const object = doc.toJS() as { apiVersion?: string; kind?: string };
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!Model) throw new Error(`${path} document ${i}: ${object.apiVersion} ${object.kind} has no schema here; add it to MODELS`);
    new Model(object as never).validate();
    return object as K8sObject;
  });
}

export const jobsOf = (objects: readonly K8sObject[]) => objects.filter((o): o is JobObject => o.kind === "Job");
export const serviceOf = (objects: readonly K8sObject[]) => objects.find((o): o is ServiceObject => o.kind === "Service");

/** A container's variable; fieldRefs resolve as the kubelet would for pod `index` (annotation: the completion index). */
export function envOf(container: Container, index: number): Record<string, string> {
  const values: Record<string, string> = {};
  for (const v of container.env ?? []) {
    const path = v.valueFrom?.fieldRef?.fieldPath;
    if (v.value !== undefined) values[v.name] = v.value;
    else if (path === "metadata.annotations['batch.kubernetes.io/job-completion-index']") values[v.name] = String(index);
    else if (path === "status.podIP") values[v.name] = `10.244.0.${10 + index}`;
    else throw new Error(`${container.name}: variable ${v.name} reads ${path ?? "nothing"}, which this check does not know`);
  }
  return values;
}
