import { ValidateIf } from 'class-validator';

/**
 * The field may be left out but not sent as null. `IsOptional` skips validation for null too, so
 * a PATCH with `"name": null` would reach the service and fail in the database; with this the
 * field's other rules refuse null with a 400. For fields that cannot be cleared.
 */
export const IsOmittable = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);
