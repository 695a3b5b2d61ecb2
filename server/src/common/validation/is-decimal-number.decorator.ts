import { applyDecorators } from '@nestjs/common';
import { IsNumber, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * A finite number with at most `places` decimals. class-validator's own `maxDecimalPlaces` reads the
 * digits after the point in `String(value)` and throws on exponent notation (`5e-324` has no point),
 * which became a 500; this checks the value itself, so 12.345 passes and 5e-324 or 1.0005 do not.
 */
export const IsDecimalNumber = (places: number, options: ValidationOptions = {}) => {
  const scale = 10 ** places;
  return applyDecorators(
    IsNumber({ allowNaN: false, allowInfinity: false }, options),
    ValidateBy(
      {
        name: 'isDecimalNumber',
        validator: {
          // Parsing "12.345" and dividing 12345 by 1000 both give the double nearest to 12.345, so a
          // number written with at most `places` decimals always survives this round trip.
          validate: (value: unknown) => typeof value === 'number' && Number.isFinite(value) && Math.round(value * scale) / scale === value,
          defaultMessage: () => `$property must have at most ${places} decimal places`,
        },
      },
      options,
    ),
  );
};
