import { Router } from 'express';
import { echo, NotSupportedError } from '@provisioning/errors';
import { resourceTypeById, resourceTypesResponse, schemaById, schemasResponse, serviceProviderConfig } from '@provisioning/scim';
import { scimBase } from '../../scim/representation';
import { MAX_RESULTS } from '@provisioning/directory';
import { SCIM_JSON } from './respond';

/** The discovery endpoints (RFC 7644 4), all read-only. */
const DISCOVERY_PATHS = ['/ServiceProviderConfig', '/Schemas', '/Schemas/:id', '/ResourceTypes', '/ResourceTypes/:id'];

/** Limits of SCIM Bulk, advertised in ServiceProviderConfig and enforced. */
export const BULK_LIMITS = { maxOperations: 1000, maxPayloadSize: 1_048_576 };

/** RFC 7644 4: ServiceProviderConfig, Schemas, ResourceTypes (each also by id); GET only, other methods 405. */
export function discoveryRouter(): Router {
  const router = Router();
  router.get('/ServiceProviderConfig', (req, res) => {
    res.type(SCIM_JSON).json(serviceProviderConfig({ baseUrl: scimBase(req), bulk: { supported: true, ...BULK_LIMITS }, filterMaxResults: MAX_RESULTS, etagSupported: true }));
  });
  router.get('/Schemas', (req, res) => {
    res.type(SCIM_JSON).json(schemasResponse(scimBase(req)));
  });
  router.get('/Schemas/:id', (req, res) => {
    res.type(SCIM_JSON).json(schemaById(scimBase(req), req.params.id));
  });
  router.get('/ResourceTypes', (req, res) => {
    res.type(SCIM_JSON).json(resourceTypesResponse(scimBase(req)));
  });
  router.get('/ResourceTypes/:id', (req, res) => {
    res.type(SCIM_JSON).json(resourceTypeById(scimBase(req), req.params.id));
  });
  // Read-only endpoints (RFC 7644 4): any other method is 405 with `Allow: GET` and a SCIM error.
  router.all(DISCOVERY_PATHS, (req, res, next) => {
    res.setHeader('Allow', 'GET');
    next(new NotSupportedError(`${req.method} is not allowed on ${echo(req.path)}; discovery endpoints are read-only (GET)`, { details: { status: 405 } }));
  });
  return router;
}
