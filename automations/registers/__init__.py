"""Reading the staff's registers through a mapping, and writing status columns back."""
