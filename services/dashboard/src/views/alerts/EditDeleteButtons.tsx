import { Button } from "@mantine/core";
import { IconEdit, IconTrash } from "@tabler/icons-react";

/** The admin's Edit and Delete buttons of a channel or policy card, labelled with the item's name for screen readers. */
export function EditDeleteButtons({
  name,
  onEdit,
  onDelete,
}: {
  name: string;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconEdit size={14} aria-hidden />}
        onClick={onEdit}
        aria-label={`Edit ${name}`}
      >
        Edit
      </Button>
      <Button
        size="xs"
        color="red"
        variant="light"
        leftSection={<IconTrash size={14} aria-hidden />}
        onClick={onDelete}
        aria-label={`Delete ${name}`}
      >
        Delete
      </Button>
    </>
  );
}
