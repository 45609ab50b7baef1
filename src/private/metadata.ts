import { ApiObjectMetadata } from 'cdk8s';

/** Metadata with a name, leaving out empty label and annotation maps. */
export function objectMetadata(
  name: string,
  labels?: { [key: string]: string },
  annotations?: { [key: string]: string },
): ApiObjectMetadata {
  return {
    name,
    labels: labels && Object.keys(labels).length > 0 ? { ...labels } : undefined,
    annotations: annotations && Object.keys(annotations).length > 0 ? { ...annotations } : undefined,
  };
}
