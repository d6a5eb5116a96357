import { CHART_VALUES_FILES } from './paths.js';
import { configValuesFile, valuesFile } from './render.js';

/** A way to install the chart: the values files given to helm, in order. */
export interface ChartCase {
  readonly name: string;
  readonly valuesFiles: readonly string[];
}

/**
 * The chart's own values files, and variants that switch on what they leave off: the repository's config as a
 * ConfigMap, the proxy-header identity mode behind an Ingress, and every optional feature with the CPU autoscaler.
 */
export function chartCases(): ChartCase[] {
  const config = configValuesFile();
  return [
    ...CHART_VALUES_FILES.map((file) => ({ name: file.slice(file.lastIndexOf('/') + 1), valuesFiles: [file] })),
    { name: 'config/ as a ConfigMap', valuesFiles: [config] },
    {
      name: 'proxy-header behind an Ingress',
      valuesFiles: [
        config,
        valuesFile('proxy-header.yaml', {
          clientIdentity: { mode: 'proxy-header', proxyCertHeader: 'ssl-client-cert' },
          ingress: {
            enabled: true,
            className: 'nginx',
            tlsSecret: 'poort-public-tls',
            hosts: { ingress: 'aanlever.example.nl', notification: 'status.example.nl', delivery: 'ontvang.example.nl', routing: 'abonnement.example.nl' },
          },
          services: { delivery: { publicUrl: 'https://ontvang.example.nl' } },
          networkPolicy: { edgeFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
          tests: { ingressUrl: 'https://aanlever.example.nl', notificationUrl: 'https://status.example.nl' },
        }),
      ],
    },
    {
      name: 'every option, CPU autoscaling',
      valuesFiles: [
        config,
        valuesFile('everything.yaml', {
          kafka: { tls: { caSecret: { name: 'poort-kafka-cluster-ca', key: 'ca.crt' } } },
          database: { caSecret: { name: 'poort-pg-ca', key: 'ca.crt' } },
          clientIdentity: { wusSigningSecret: 'poort-wus-signing', deliveryClientSecret: 'poort-delivery-client' },
          otlpEndpoint: 'http://otel-collector.observability.svc:4318',
          services: Object.fromEntries(
            ['ingress', 'authorization', 'validation', 'transformation', 'routing', 'delivery', 'archive', 'notification'].map((name) => [
              name,
              { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 12, targetCPUUtilizationPercentage: 70 } },
            ]),
          ),
          service: { edgeType: 'LoadBalancer' },
          serviceMonitor: { enabled: true },
          prometheusRule: { enabled: true },
        }),
      ],
    },
  ];
}
